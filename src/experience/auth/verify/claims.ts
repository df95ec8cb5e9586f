/**
 * From a verified JWT payload to a Principal, and from a verification failure to the error the client sees.
 * Every failure is GALLEY_UNAUTHENTICATED with a short public detail that names the kind of problem (expired,
 * revoked, malformed …) and nothing about keys, claims values or the library underneath.
 */
import { errors, type JWTPayload } from 'jose';
import { MEMBER_ROLES, type MemberRole } from '../../../data/store/schema.ts';
import { GalleyError } from '../../errors/errors.ts';
import type { Principal } from '../principal.ts';
import { ACCESS_TOKEN_TTL_S, CLAIMS } from '../tokenContract.ts';

/** Public details of the 401s the verifier raises; stable, so clients and logs can tell the cases apart. */
export const UNAUTHENTICATED_DETAIL = Object.freeze({
  missing: 'bearer token required',
  malformed: 'token malformed',
  expired: 'token expired',
  revoked: 'token revoked',
  signature: 'token signature invalid',
  claims: 'token not valid for this API',
});

/** Why a token was refused (the key of its public detail). */
export type UnauthenticatedReason = keyof typeof UNAUTHENTICATED_DETAIL;

/** A GALLEY_UNAUTHENTICATED error whose `reason` says which check failed (for the WWW-Authenticate header). */
export class TokenRejectedError extends GalleyError {
  readonly reason: UnauthenticatedReason;

  constructor(reason: UnauthenticatedReason, cause?: unknown) {
    super('GALLEY_UNAUTHENTICATED', UNAUTHENTICATED_DETAIL[reason], cause === undefined ? {} : { cause });
    this.reason = reason;
  }
}

/** Maps a jose failure to the rejection the client sees; anything that is not a JOSE error is rethrown. */
export function rejectionOf(error: unknown): TokenRejectedError {
  if (error instanceof TokenRejectedError) return error;
  if (error instanceof errors.JWTExpired) return new TokenRejectedError('expired', error);
  if (error instanceof errors.JWSSignatureVerificationFailed) return new TokenRejectedError('signature', error);
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return new TokenRejectedError('signature', error);
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return new TokenRejectedError('malformed', error);
  }
  // Wrong iss/aud/typ, disallowed alg, missing required claims, unsupported header parameters.
  if (error instanceof errors.JOSEError) return new TokenRejectedError('claims', error);
  throw error;
}

const ROLES: readonly string[] = MEMBER_ROLES;

function isRole(value: unknown): value is MemberRole {
  return typeof value === 'string' && ROLES.includes(value);
}

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function optionalString(payload: JWTPayload, claim: string): string | undefined {
  const value = payload[claim];
  if (value === undefined) return undefined;
  if (!nonEmpty(value)) throw new TokenRejectedError('claims');
  return value;
}

/**
 * The Principal a verified access token stands for. Rejects (claims) when a contract claim is missing or of the
 * wrong shape: `sub`, `tid`, `jti`, `client_id` non-empty strings, `role` a membership role, `scope` a string
 * when present, `gid`/`sid` non-empty strings when present, `iat` and `exp` numbers at most ACCESS_TOKEN_TTL_S
 * apart.
 *
 * A client-credentials token is recognised by having no grant: the authorization server puts `gid` into every
 * user token (a user token is always issued under a grant) and never into a client-credentials token, whose
 * `sub` is the service account id (oidc/tokenClaims.ts).
 */
export function principalOf(payload: JWTPayload): Principal {
  const { sub, jti, exp, iat } = payload;
  const tenantId = payload[CLAIMS.tenant];
  const role = payload[CLAIMS.role];
  const scope = payload[CLAIMS.scope];
  const clientId = payload[CLAIMS.clientId];
  if (!nonEmpty(sub) || !nonEmpty(jti) || !nonEmpty(tenantId) || !nonEmpty(clientId)) {
    throw new TokenRejectedError('claims');
  }
  if (!isRole(role) || (scope !== undefined && typeof scope !== 'string')) throw new TokenRejectedError('claims');
  // A longer-lived token would outlive its deny-list entries (they last ACCESS_TOKEN_TTL_S + skew).
  if (typeof exp !== 'number' || typeof iat !== 'number' || exp - iat > ACCESS_TOKEN_TTL_S) {
    throw new TokenRejectedError('claims');
  }
  const grantId = optionalString(payload, CLAIMS.grant);
  const sessionId = optionalString(payload, CLAIMS.session);
  return Object.freeze({
    kind: grantId === undefined ? 'service' : 'user',
    subject: sub,
    tenantId,
    role,
    scopes: Object.freeze(scope === undefined ? [] : scope.split(' ').filter((s) => s.length > 0)),
    tokenId: jti,
    ...(grantId === undefined ? {} : { grantId }),
    ...(sessionId === undefined ? {} : { sessionId }),
    expiresAt: exp,
  });
}
