/**
 * The first-party clients every Galley installation has, configured statically (not stored): the web editor's
 * backend-for-frontend (`galley-web`, confidential, authorization code + refresh) and the command line
 * (`galley-cli`, public, device code + refresh). Both must use PKCE like every other client.
 */
import type { Config } from '../../../config/config.ts';
import { deriveKey } from '../secrets.ts';

/** Client id of the web editor's BFF. */
export const WEB_CLIENT_ID = 'galley-web';
/** Client id of the Galley CLI. */
export const CLI_CLIENT_ID = 'galley-cli';
/** The device authorization grant type (RFC 8628). */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** Clients Galley trusts as its own: no consent screen, only a tenant choice when it is not clear. */
export const FIRST_PARTY_CLIENTS: ReadonlySet<string> = new Set([WEB_CLIENT_ID, CLI_CLIENT_ID]);

/** The BFF's client secret: derived from the master secret, so every process (and the BFF) agrees on it. */
export function galleyWebClientSecret(secret: string): string {
  return deriveKey(secret, 'client:galley-web').toString('base64url');
}

/** Where the BFF receives authorization codes. */
export function webRedirectUri(config: Pick<Config, 'publicUrl'>): string {
  return `${config.publicUrl}/bff/callback`;
}

/** Client metadata of the static clients. */
export function staticClients(config: Pick<Config, 'publicUrl'>, secret: string): readonly Record<string, unknown>[] {
  return [
    {
      client_id: WEB_CLIENT_ID,
      client_secret: galleyWebClientSecret(secret),
      client_name: 'Galley web editor',
      application_type: 'web',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [webRedirectUri(config)],
      post_logout_redirect_uris: [`${config.publicUrl}/`],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    },
    {
      client_id: CLI_CLIENT_ID,
      client_name: 'Galley CLI',
      application_type: 'native',
      grant_types: [DEVICE_CODE_GRANT, 'refresh_token'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'none',
      id_token_signed_response_alg: 'ES256',
    },
  ];
}
