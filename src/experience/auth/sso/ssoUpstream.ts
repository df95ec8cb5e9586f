/**
 * The relying-party side of upstream SSO, over openid-client 6: discovery (cached per provider), the
 * authorization URL (code flow, PKCE S256, state, nonce) and the code exchange that validates the ID token
 * (signature, issuer, audience, expiry, nonce) and yields the verified identity. openid-client refuses plain
 * http; `allowInsecureRequests` is applied only to issuers on a loopback host (tests, local setups), which is
 * also all that `parseIssuer` lets into the table.
 *
 * Failures become `SsoError`s: a catalogued GalleyError plus the bounded metrics reason of the failure.
 */
import { LRUCache } from 'lru-cache';
import * as client from 'openid-client';
import type { AUTH_REASONS } from '../../../ops/metrics/labels.ts';
import { type ErrorCode, GalleyError } from '../../errors/errors.ts';
import { isLoopbackHost, type SsoProviderWithSecret } from './ssoProviders.ts';

/** Why a login failed, as the login metrics record it. */
export type SsoFailureReason = (typeof AUTH_REASONS)[number];

/** A catalogued SSO failure with the reason the login metrics record. */
export class SsoError extends GalleyError {
  /** Bounded metrics reason (never the message). */
  readonly reason: SsoFailureReason;

  constructor(code: ErrorCode, reason: SsoFailureReason, detail: string, cause?: unknown) {
    super(code, detail, cause === undefined ? {} : { cause });
    this.name = 'SsoError';
    this.reason = reason;
  }
}

/** Scopes requested upstream: the identity and the email that JIT membership keys on. */
export const SSO_SCOPE = 'openid email profile';

/** Seconds any one upstream HTTP request may take. */
const UPSTREAM_TIMEOUT_S = 10;

/** How long a discovery result is reused before it is fetched again. */
const DISCOVERY_TTL_MS = 60 * 60 * 1000;

/** What the code exchange proved about the person. */
export interface UpstreamIdentity {
  /** The upstream's `sub`. */
  readonly subject: string;
  /** Email claim, or undefined when the upstream sent none. */
  readonly email: string | undefined;
  /** True only when the upstream asserted `email_verified: true`. */
  readonly emailVerified: boolean;
  readonly name: string | undefined;
}

/** The per-flow secrets kept between the redirect and the callback. */
export interface FlowChecks {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

/** Discovery cache and protocol steps for every provider of one process. */
export interface UpstreamClients {
  /** The provider's openid-client configuration, discovered once per TTL (failures are not cached). */
  configurationFor(provider: SsoProviderWithSecret): Promise<client.Configuration>;
  /** The URL to send the browser to. */
  authorizationUrl(
    configuration: client.Configuration,
    redirectUri: string,
    checks: Pick<FlowChecks, 'state' | 'nonce'> & { readonly codeChallenge: string },
  ): URL;
  /** Exchanges the code from `callbackUrl` (with PKCE) and returns the identity the ID token proves. */
  exchange(configuration: client.Configuration, callbackUrl: URL, checks: FlowChecks): Promise<UpstreamIdentity>;
}

interface CachedDiscovery {
  /** Changes whenever issuer, client id or secret change, so an edited provider is discovered afresh. */
  readonly fingerprint: string;
  readonly configuration: Promise<client.Configuration>;
}

function fingerprintOf(provider: SsoProviderWithSecret): string {
  return JSON.stringify([provider.issuer, provider.clientId, provider.clientSecret]);
}

async function discover(provider: SsoProviderWithSecret): Promise<client.Configuration> {
  const issuer = new URL(provider.issuer);
  const execute = isLoopbackHost(issuer.hostname) ? [client.allowInsecureRequests] : [];
  try {
    return await client.discovery(
      issuer,
      provider.clientId,
      undefined,
      // OIDC Core's default method, which every certified provider supports.
      client.ClientSecretBasic(provider.clientSecret),
      { execute, timeout: UPSTREAM_TIMEOUT_S },
    );
  } catch (error) {
    throw new SsoError(
      'GALLEY_SSO_UPSTREAM_UNAVAILABLE',
      'upstream_error',
      'the identity provider could not be discovered',
      error,
    );
  }
}

/** Maps an openid-client failure of the code exchange onto an SsoError. */
export function classifyExchangeError(error: unknown): SsoError {
  if (error instanceof SsoError) return error;
  if (error instanceof client.AuthorizationResponseError) {
    const code = /^[a-z_]{1,64}$/.test(error.error) ? error.error : 'an error';
    return new SsoError('GALLEY_SSO_RESPONSE_INVALID', 'denied', `the identity provider answered ${code}`, error);
  }
  if (error instanceof client.ResponseBodyError) {
    if (error.status >= 500) {
      return new SsoError('GALLEY_SSO_UPSTREAM_UNAVAILABLE', 'upstream_error', 'the token endpoint failed', error);
    }
    return new SsoError('GALLEY_SSO_RESPONSE_INVALID', 'invalid_request', 'the code exchange was refused', error);
  }
  if (error instanceof client.ClientError) {
    if (error.code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' && claimOf(error) === 'nonce') {
      return new SsoError('GALLEY_SSO_RESPONSE_INVALID', 'invalid_nonce', 'the ID token nonce does not match', error);
    }
    if (error.code === 'OAUTH_TIMEOUT' || error.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM') {
      return new SsoError('GALLEY_SSO_UPSTREAM_UNAVAILABLE', 'upstream_error', 'the identity provider failed', error);
    }
    return new SsoError('GALLEY_SSO_RESPONSE_INVALID', 'invalid_request', 'the ID token failed validation', error);
  }
  // fetch() rejects with a TypeError when the upstream cannot be reached.
  if (error instanceof TypeError) {
    return new SsoError(
      'GALLEY_SSO_UPSTREAM_UNAVAILABLE',
      'upstream_error',
      'the identity provider is unreachable',
      error,
    );
  }
  return new SsoError('GALLEY_INTERNAL', 'internal', 'SSO sign-in failed', error);
}

/** The claim a JWT claim comparison failed on (openid-client keeps it on the wrapped error's cause). */
function claimOf(error: client.ClientError): unknown {
  const inner: unknown = error.cause;
  if (typeof inner !== 'object' || inner === null || !('cause' in inner)) return undefined;
  const details: unknown = inner.cause;
  return typeof details === 'object' && details !== null && 'claim' in details ? details.claim : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

async function identityOf(
  configuration: client.Configuration,
  tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers,
): Promise<UpstreamIdentity> {
  const claims = tokens.claims();
  if (claims === undefined) {
    throw new SsoError('GALLEY_SSO_RESPONSE_INVALID', 'invalid_request', 'the identity provider sent no ID token');
  }
  if (text(claims.email) !== undefined) {
    return {
      subject: claims.sub,
      email: text(claims.email),
      emailVerified: claims.email_verified === true,
      name: text(claims.name),
    };
  }
  // Providers that follow OIDC Core 5.4 strictly put scope claims in UserInfo only, not in the ID token; the
  // subject check ties the answer to the person the ID token names.
  const info = await client.fetchUserInfo(configuration, tokens.access_token, claims.sub);
  return {
    subject: claims.sub,
    email: text(info.email),
    emailVerified: info.email_verified === true,
    name: text(info.name) ?? text(claims.name),
  };
}

/** Creates the clients of one process (one discovery cache). */
export function createUpstreamClients(): UpstreamClients {
  const cache = new LRUCache<string, CachedDiscovery>({ max: 1000, ttl: DISCOVERY_TTL_MS });

  return {
    async configurationFor(provider) {
      const fingerprint = fingerprintOf(provider);
      const hit = cache.get(provider.id);
      if (hit !== undefined && hit.fingerprint === fingerprint) return hit.configuration;
      const configuration = discover(provider);
      cache.set(provider.id, { fingerprint, configuration });
      configuration.catch(() => {
        // A failed discovery is retried by the next sign-in rather than remembered.
        if (cache.get(provider.id)?.configuration === configuration) cache.delete(provider.id);
      });
      return configuration;
    },

    authorizationUrl(configuration, redirectUri, checks) {
      return client.buildAuthorizationUrl(configuration, {
        redirect_uri: redirectUri,
        scope: SSO_SCOPE,
        state: checks.state,
        nonce: checks.nonce,
        code_challenge: checks.codeChallenge,
        code_challenge_method: 'S256',
      });
    },

    async exchange(configuration, callbackUrl, checks) {
      try {
        const tokens = await client.authorizationCodeGrant(configuration, callbackUrl, {
          pkceCodeVerifier: checks.codeVerifier,
          expectedState: checks.state,
          expectedNonce: checks.nonce,
          idTokenExpected: true,
        });
        return await identityOf(configuration, tokens);
      } catch (error) {
        throw classifyExchangeError(error);
      }
    },
  };
}
