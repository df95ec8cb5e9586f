/**
 * `galley whoami [--url <server>]`: who the stored login is — `GET /api/v1/me` with the stored access token
 * (refreshed first when it is about to expire). `--url` defaults to the only server logged in to, else this
 * installation's public URL. Exit codes: 0 printed, 1 not logged in or the server refused, 2 bad usage.
 */
import { parseArgs } from 'node:util';
import type { Config } from '../../config/config.ts';
import type { Me } from '../auth/bff/schemas.ts';
import { defaultServerUrl, getAccessToken, serverKey } from './credentialsStore.ts';

const USAGE = 'usage: galley whoami [--url <server URL>]';

type Out = (line: string) => void;

/** `GET <url>/api/v1/me` with `accessToken`; throws with the problem detail when the server refuses. */
export async function fetchMe(url: string, accessToken: string): Promise<Me> {
  const response = await fetch(`${serverKey(url)}/api/v1/me`, {
    headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await response.json()) as Me & { detail?: string };
  if (!response.ok) throw new Error(`${response.status} ${body.detail ?? 'request refused'}`);
  return body;
}

/** The lines `whoami` prints for a presented principal. */
export function formatMe(me: Me): string[] {
  const who =
    me.user !== undefined
      ? `${me.user.name} <${me.user.email}>`
      : me.serviceAccount !== undefined
        ? `service account ${me.serviceAccount.name}`
        : me.subject;
  return [
    `user:    ${who} (${me.kind} ${me.subject})`,
    `tenant:  ${me.tenant.slug} (${me.tenant.name})`,
    `role:    ${me.role}`,
    `scopes:  ${me.scopes.join(' ')}`,
    `token expires: ${me.expiresAt}`,
  ];
}

/** Runs `galley whoami`. */
export async function runWhoami(args: readonly string[], config: Config, out: Out): Promise<number> {
  let values: { url?: string };
  try {
    ({ values } = parseArgs({ args: [...args], options: { url: { type: 'string' } } }));
  } catch (error) {
    out(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  try {
    const url = serverKey(values.url ?? defaultServerUrl(config.publicUrl));
    const me = await fetchMe(url, await getAccessToken(url));
    out(`server:  ${url}`);
    for (const line of formatMe(me)) out(line);
    return 0;
  } catch (error) {
    out(`galley whoami: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
