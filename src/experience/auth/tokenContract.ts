/**
 * The token contract between the authorization server (oidc/) and everything that verifies its tokens (the
 * API verifier, the BFF, the CLI). The provider issues exactly this; verifiers check exactly this. Change it
 * only together with both sides.
 */
import type { Config } from '../../config/config.ts';

/** Issuer of every Galley token: the provider is mounted at `/oauth` under the public origin. */
export function issuerOf(config: Pick<Config, 'publicUrl'>): string {
  return `${config.publicUrl}/oauth`;
}

/** Audience (`aud`) of access tokens for the Galley API; also the provider's default resource indicator. */
export function GALLEY_API_AUDIENCE(config: Pick<Config, 'publicUrl'>): string {
  return `${config.publicUrl}/api`;
}

/** Access-token lifetime in seconds (`exp` = `iat` + this). */
export const ACCESS_TOKEN_TTL_S = 300;

/**
 * The one OAuth scope of the Galley API resource: "call the management API with the token's role". Clients ask
 * for it (`scope=openid offline_access api`); authorization within a tenant comes from the `role` claim.
 */
export const API_SCOPE = 'api';

/** Clock skew verifiers tolerate, in seconds; deny-list entries outlive tokens by at least this. */
export const CLOCK_SKEW_S = 30;

/** JOSE header `typ` of access tokens (RFC 9068). */
export const ACCESS_TOKEN_TYP = 'at+jwt';

/** Signing algorithm of access and ID tokens. */
export const ACCESS_TOKEN_ALG = 'ES256';

/** Claim names carried by access tokens beyond the registered ones (iss, aud, sub, iat, exp, jti). */
export const CLAIMS = Object.freeze({
  /** Tenant id the token is for (exactly one). */
  tenant: 'tid',
  /** Member role in that tenant (owner|admin|editor|author|viewer). */
  role: 'role',
  /** Space-separated OAuth scopes. */
  scope: 'scope',
  /** Grant id; revoking a grant denies every token of it. */
  grant: 'gid',
  /**
   * Session id (the authorization server's browser-session uid), when the token came from an interactive login;
   * logout denies its tokens. Not the per-client `sid` of ID tokens.
   */
  session: 'sid',
  /** The OAuth client the token was issued to. */
  clientId: 'client_id',
} as const);

/** The decoded claims of a Galley access token. */
export interface GalleyAccessTokenClaims {
  readonly iss: string;
  readonly aud: string | readonly string[];
  /** User id, or service account id for client-credentials tokens. */
  readonly sub: string;
  readonly tid: string;
  readonly role: string;
  readonly scope: string;
  readonly jti: string;
  readonly gid?: string;
  readonly sid?: string;
  readonly client_id: string;
  readonly iat: number;
  readonly exp: number;
}

/** Kv channel on which every deny-list key written is published (message = the key). */
export const DENY_CHANNEL = 'auth:deny';

/** Kv channel announcing a signing-key rotation; every process rebuilds its key set on a message. */
export const KEYS_CHANNEL = 'auth:keys';

/** Deny-list kv keys, by what they revoke. */
export const denyKey = Object.freeze({
  /** One access token, by its `jti`. */
  jti: (jti: string): string => `auth:deny:jti:${jti}`,
  /** Every token of a grant, by its `gid`. */
  grant: (grantId: string): string => `auth:deny:grant:${grantId}`,
  /** Every token of a login session, by its `sid`. */
  session: (sessionId: string): string => `auth:deny:session:${sessionId}`,
});

/** How long a deny-list entry lives, in ms: longer than any token it could match can still be accepted. */
export const DENY_TTL_MS = (ACCESS_TOKEN_TTL_S + CLOCK_SKEW_S) * 1000;
