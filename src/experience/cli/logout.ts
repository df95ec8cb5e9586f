/**
 * `galley logout [--url <server>]`: revokes the stored refresh token at the server (RFC 7009; that ends its
 * grant, so the access tokens issued with it stop working too) and removes the stored entry. When the server
 * cannot be reached the entry is removed anyway and the command says the revocation did not happen.
 *
 * `--url` defaults to the only server logged in to, else this installation's public URL. Exit codes: 0 logged
 * out (or was not logged in), 1 removed locally but not revoked, 2 bad usage.
 */
import { parseArgs } from 'node:util';
import * as client from 'openid-client';
import type { Config } from '../../config/config.ts';
import { cliOauthConfig, defaultServerUrl, deleteCredentials, readCredentials, serverKey } from './credentialsStore.ts';

const USAGE = 'usage: galley logout [--url <server URL>]';

type Out = (line: string) => void;

/** Runs `galley logout`. */
export async function runLogout(args: readonly string[], config: Config, out: Out): Promise<number> {
  let values: { url?: string };
  try {
    ({ values } = parseArgs({ args: [...args], options: { url: { type: 'string' } } }));
  } catch (error) {
    out(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  let url: string;
  try {
    url = serverKey(values.url ?? defaultServerUrl(config.publicUrl));
  } catch (error) {
    out(`galley logout: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const stored = readCredentials(url);
  if (stored === undefined) {
    out(`Not logged in to ${url}.`);
    return 0;
  }
  let revokeError: unknown;
  try {
    const oauth = await cliOauthConfig(url);
    await client.tokenRevocation(oauth, stored.refreshToken, { token_type_hint: 'refresh_token' });
  } catch (error) {
    revokeError = error;
  }
  deleteCredentials(url);
  if (revokeError !== undefined) {
    const why = revokeError instanceof Error ? revokeError.message : String(revokeError);
    out(`Removed the stored login for ${url}, but the server did not revoke it: ${why}`);
    return 1;
  }
  out(`Logged out of ${url}.`);
  return 0;
}
