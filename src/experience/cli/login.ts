/**
 * `galley login [--url <server>] [--tenant <slug>]`: signs the CLI in with the device authorization grant
 * (RFC 8628) as the public client `galley-cli`. Prints the verification URL and the user code, polls the token
 * endpoint at the server's interval (slowing down when told to) until the code is approved in a browser, denied
 * or expired, then stores the tokens (credentialsStore.ts) and says who is signed in.
 *
 * `--url` defaults to this installation's public URL. Exit codes: 0 signed in, 1 failure, 2 bad usage.
 */
import { parseArgs } from 'node:util';
import * as client from 'openid-client';
import type { Config } from '../../config/config.ts';
import { CLI_SCOPE, cliOauthConfig, credentialsFrom, saveCredentials, serverKey } from './credentialsStore.ts';
import { fetchMe, formatMe } from './whoami.ts';

const USAGE = 'usage: galley login [--url <server URL>] [--tenant <slug>]';

type Out = (line: string) => void;

function reason(error: unknown): string {
  if (error instanceof client.ResponseBodyError) return error.error_description ?? error.error;
  if (error instanceof client.ClientError && error.code === 'OAUTH_TIMEOUT') {
    return 'the code expired before it was approved';
  }
  if (error instanceof client.ClientError && error.code === 'OAUTH_ABORT')
    return 'stopped before the code was approved';
  return error instanceof Error ? error.message : String(error);
}

/** Runs `galley login`; `options.signal` stops the polling early (the code's expiry always does). */
export async function runLogin(
  args: readonly string[],
  config: Config,
  out: Out,
  options: { readonly signal?: AbortSignal } = {},
): Promise<number> {
  let values: { url?: string; tenant?: string };
  try {
    ({ values } = parseArgs({ args: [...args], options: { url: { type: 'string' }, tenant: { type: 'string' } } }));
  } catch (error) {
    out(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  let url: string;
  try {
    url = serverKey(values.url ?? config.publicUrl);
  } catch (error) {
    out(`galley login: ${reason(error)}\n${USAGE}`);
    return 2;
  }
  try {
    const oauth = await cliOauthConfig(url);
    const tenant = values.tenant?.trim();
    const device = await client.initiateDeviceAuthorization(oauth, {
      scope: CLI_SCOPE,
      ...(tenant ? { tenant } : {}),
    });
    out(`To sign in, open ${device.verification_uri} and enter the code: ${device.user_code}`);
    if (device.verification_uri_complete !== undefined) out(`Or open ${device.verification_uri_complete}`);
    out(`Waiting for approval (the code expires in ${Math.round(device.expires_in / 60)} minutes)…`);
    const expiry = AbortSignal.timeout(device.expires_in * 1000);
    const signal = options.signal === undefined ? expiry : AbortSignal.any([options.signal, expiry]);
    const tokens = await client.pollDeviceAuthorizationGrant(oauth, device, undefined, { signal });
    saveCredentials(url, credentialsFrom(oauth, tokens, { tenant: tenant || undefined }));
    const me = await fetchMe(url, tokens.access_token);
    out(`Logged in to ${url}`);
    for (const line of formatMe(me)) out(line);
    return 0;
  } catch (error) {
    out(`galley login: ${reason(error)}`);
    return 1;
  }
}
