/**
 * The BFF as an OAuth client (`galley-web`, confidential, client_secret_basic) of this process's own authorization
 * server, over openid-client 6. Every protocol request (discovery, token, revocation) goes to `/oauth` through
 * `app.inject` — in-process, so the BFF never depends on the public URL being reachable from inside the
 * deployment (no hairpin through the load balancer) and pays no socket round trip. The configuration is discovered
 * on first use and kept; a failed discovery is retried by the next request.
 */
import type { FastifyInstance, HTTPMethods } from 'fastify';
import * as client from 'openid-client';
import { GalleyError } from '../../errors/errors.ts';
import { galleyWebClientSecret, WEB_CLIENT_ID, webRedirectUri } from '../oidc/staticClients.ts';
import { issuerOf } from '../tokenContract.ts';

/** The scopes the BFF asks for: identity, a refresh token and the management API. */
export const BFF_SCOPE = 'openid offline_access api';

/** A token set as the session keeps it. */
export interface BffTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Access-token expiry, epoch seconds. */
  readonly expiresAt: number;
}

/** What the callback must match. */
export interface CallbackChecks {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

/** The protocol steps the BFF routes use. */
export interface BffOidcClient {
  /** Where to send the browser to sign in (code flow, PKCE S256); `tenant` preselects the tenant by slug. */
  authorizationUrl(checks: CallbackChecks, tenant: string | undefined): Promise<URL>;
  /** Exchanges the callback's code; GALLEY_BFF_CALLBACK_INVALID when the response or the checks fail. */
  exchange(callbackUrl: URL, checks: CallbackChecks): Promise<BffTokens>;
  /**
   * Rotates the refresh token. GALLEY_UNAUTHENTICATED when the server refuses it (the session is over: revoked,
   * expired, reused); GALLEY_AUTH_UNAVAILABLE when the server could not answer.
   */
  refresh(refreshToken: string): Promise<BffTokens>;
  /** Revokes a refresh token (its whole grant); the server answers 200 for unknown tokens too. */
  revoke(refreshToken: string): Promise<void>;
  /** The RP-initiated logout URL for the browser (the provider asks before ending its session). */
  endSessionUrl(): Promise<URL>;
}

/** Options of createBffOidcClient. */
export interface BffOidcClientOptions {
  /** The app serving `/oauth` (any instance of it: inject goes through the root router). */
  readonly app: FastifyInstance;
  readonly publicUrl: string;
  readonly secret: string;
}

type FetchBody = client.CustomFetchOptions['body'];

function injectPayload(body: FetchBody): string | Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  throw new Error('streamed request bodies are not sent in-process');
}

/** A fetch that serves requests for `origin` by injecting them into `app`. */
export function injectFetch(app: FastifyInstance, origin: string): client.CustomFetch {
  return async (url, options) => {
    const target = new URL(url);
    if (target.origin !== origin) throw new Error(`in-process fetch refuses ${target.origin}`);
    const injected = await app.inject({
      method: options.method as HTTPMethods,
      url: `${target.pathname}${target.search}`,
      headers: options.headers,
      payload: injectPayload(options.body),
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(injected.headers)) {
      if (value === undefined) continue;
      for (const one of Array.isArray(value) ? value : [String(value)]) headers.append(name, one);
    }
    const empty = injected.statusCode === 204 || injected.statusCode === 304 || options.method === 'HEAD';
    return new Response(empty ? null : injected.rawPayload, { status: injected.statusCode, headers });
  };
}

function tokensOf(response: client.TokenEndpointResponse, fallbackRefresh?: string): BffTokens {
  const refreshToken = response.refresh_token ?? fallbackRefresh;
  if (refreshToken === undefined) throw new Error('the token response carries no refresh token');
  return {
    accessToken: response.access_token,
    refreshToken,
    expiresAt: Math.floor(Date.now() / 1000) + (response.expires_in ?? 0),
  };
}

/** Builds the client; nothing is fetched until the first call. */
export function createBffOidcClient(options: BffOidcClientOptions): BffOidcClient {
  const publicOrigin = new URL(options.publicUrl).origin;
  const redirectUri = webRedirectUri({ publicUrl: options.publicUrl });
  let discovered: Promise<client.Configuration> | undefined;
  const configuration = (): Promise<client.Configuration> => {
    discovered ??= client
      .discovery(
        new URL(issuerOf({ publicUrl: options.publicUrl })),
        WEB_CLIENT_ID,
        { redirect_uris: [redirectUri], id_token_signed_response_alg: 'ES256' },
        client.ClientSecretBasic(galleyWebClientSecret(options.secret)),
        {
          // In-process requests never cross a network, so the public URL's scheme says nothing about transport.
          execute: [client.allowInsecureRequests],
          [client.customFetch]: injectFetch(options.app, publicOrigin),
        },
      )
      .catch((error: unknown) => {
        discovered = undefined;
        throw new GalleyError('GALLEY_AUTH_UNAVAILABLE', 'authorization server unavailable', { cause: error });
      });
    return discovered;
  };

  return {
    async authorizationUrl(checks, tenant) {
      return client.buildAuthorizationUrl(await configuration(), {
        redirect_uri: redirectUri,
        scope: BFF_SCOPE,
        state: checks.state,
        nonce: checks.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
        code_challenge_method: 'S256',
        ...(tenant === undefined ? {} : { tenant }),
      });
    },
    async exchange(callbackUrl, checks) {
      const config = await configuration();
      try {
        const response = await client.authorizationCodeGrant(config, callbackUrl, {
          pkceCodeVerifier: checks.codeVerifier,
          expectedState: checks.state,
          expectedNonce: checks.nonce,
          idTokenExpected: true,
        });
        return tokensOf(response);
      } catch (error) {
        throw new GalleyError('GALLEY_BFF_CALLBACK_INVALID', 'sign-in could not be completed; start again', {
          cause: error,
        });
      }
    },
    async refresh(refreshToken) {
      const config = await configuration();
      try {
        return tokensOf(await client.refreshTokenGrant(config, refreshToken), refreshToken);
      } catch (error) {
        if (error instanceof client.ResponseBodyError && error.status < 500) {
          throw new GalleyError('GALLEY_UNAUTHENTICATED', 'the session has ended; sign in again', { cause: error });
        }
        throw new GalleyError('GALLEY_AUTH_UNAVAILABLE', 'could not refresh the session', { cause: error });
      }
    },
    async revoke(refreshToken) {
      await client.tokenRevocation(await configuration(), refreshToken, { token_type_hint: 'refresh_token' });
    },
    async endSessionUrl() {
      return client.buildEndSessionUrl(await configuration(), { post_logout_redirect_uri: `${options.publicUrl}/` });
    },
  };
}
