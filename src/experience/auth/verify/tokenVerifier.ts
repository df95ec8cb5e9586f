/**
 * Verifies Galley access tokens for the API: stateless JWT verification against the local JWKS, plus the
 * revocation deny-list.
 *
 * Per request:
 * - a token seen before (verified cache hit, valid until its `exp` + clock tolerance) costs one map lookup and a
 *   local deny-set check, no cryptography and no kv round-trip;
 * - a token seen for the first time is verified with jose (ES256 only, `typ: at+jwt`, `iss`, `aud`, `iat`, `exp`
 *   required), mapped to a Principal, and checked against the deny-list in the kv, so a process that started
 *   after a revocation still refuses the token;
 * - every request checks the local deny set, which the DENY_CHANNEL subscription fills within a second of a
 *   revocation in any process; cached tokens are re-checked against the kv every `denyRecheckMs` as well, so a
 *   message lost while a subscription reconnected delays a revocation by at most that long.
 *
 * Failures are GALLEY_UNAUTHENTICATED (TokenRejectedError, with the reason); an unreachable kv or key source is
 * GALLEY_AUTH_UNAVAILABLE (503): without the deny-list the verifier fails closed.
 */
import { errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Kv } from '../../../data/kv/port.ts';
import { GalleyError, isGalleyError } from '../../errors/errors.ts';
import type { Principal } from '../principal.ts';
import { ACCESS_TOKEN_ALG, ACCESS_TOKEN_TYP, CLOCK_SKEW_S, KEYS_CHANNEL } from '../tokenContract.ts';
import { principalOf, rejectionOf, TokenRejectedError } from './claims.ts';
import { denyKeysOf, watchDenyList } from './denyList.ts';
import { createJwksCache, type JwksSource } from './jwksCache.ts';

/** Options of createTokenVerifier. */
export interface TokenVerifierOptions {
  /** Expected `iss`: issuerOf(config). */
  readonly issuer: string;
  /** Expected `aud`: GALLEY_API_AUDIENCE(config). */
  readonly audience: string;
  /** The published JWKS, e.g. `async () => (await loadKeySet(store, secret)).jwks`. */
  readonly keys: JwksSource;
  /** The kv holding the deny-list (and carrying DENY_CHANNEL and KEYS_CHANNEL). */
  readonly kv: Kv;
  /** Seconds of clock skew tolerated on `exp`/`nbf`, at most (and by default) CLOCK_SKEW_S. */
  readonly clockToleranceS?: number;
  /** Verified tokens kept (default 10 000). */
  readonly cacheMax?: number;
  /** Minimum gap between JWKS reloads caused by unknown kids, ms (default 5 000). */
  readonly unknownKidReloadMs?: number;
  /** How often a cached token is re-checked against the kv deny-list, ms (default 30 000). */
  readonly denyRecheckMs?: number;
}

/** Verifies access tokens; one per process (it subscribes to kv channels). */
export interface TokenVerifier {
  /**
   * The Principal `token` (the compact JWT, without the `Bearer ` prefix) stands for. Rejects with
   * TokenRejectedError (GALLEY_UNAUTHENTICATED) for a malformed, expired, badly signed, foreign or revoked token,
   * and with GALLEY_AUTH_UNAVAILABLE when the key source or the kv cannot be reached.
   */
  verify(token: string): Promise<Principal>;
  /** How many times the JWKS was loaded (tests, metrics). */
  readonly jwksLoads: number;
  /** Unsubscribes from the kv channels and drops the caches; does not close the kv. */
  close(): Promise<void>;
}

/** A verified token as the cache holds it. */
interface Verified {
  readonly principal: Principal;
  readonly denyKeys: readonly string[];
  /** Epoch ms after which the token is expired even with the tolerance. */
  readonly validUntil: number;
  /** Epoch ms of the last kv deny-list check. */
  checkedAt: number;
}

/** Longer strings are not access tokens; refusing them early keeps garbage out of the parser and the cache. */
const MAX_TOKEN_LENGTH = 8192;
const COMPACT_JWS = /^[\w-]+\.[\w-]+\.[\w-]+$/;

function unavailable(what: string, cause: unknown): GalleyError {
  return new GalleyError('GALLEY_AUTH_UNAVAILABLE', `${what} unreachable, try again shortly`, {
    cause,
    retryAfterSeconds: 1,
  });
}

/** Creates a verifier; it subscribes to DENY_CHANNEL and KEYS_CHANNEL at once and loads the JWKS on first use. */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const toleranceS = options.clockToleranceS ?? CLOCK_SKEW_S;
  // Deny-list entries outlive a token by CLOCK_SKEW_S; a larger tolerance would let a revoked token back in.
  if (toleranceS < 0 || toleranceS > CLOCK_SKEW_S) throw new RangeError(`clockToleranceS must be 0–${CLOCK_SKEW_S}`);
  const denyRecheckMs = options.denyRecheckMs ?? 30_000;
  const jwks = createJwksCache({
    source: options.keys,
    ...(options.unknownKidReloadMs === undefined ? {} : { unknownKidReloadMs: options.unknownKidReloadMs }),
  });
  const denyList = watchDenyList(options.kv);
  const cache = new LRUCache<string, Verified>({ max: options.cacheMax ?? 10_000 });
  const inFlight = new Map<string, Promise<Verified>>();
  const jwtOptions = {
    issuer: options.issuer,
    audience: options.audience,
    algorithms: [ACCESS_TOKEN_ALG],
    typ: ACCESS_TOKEN_TYP,
    requiredClaims: ['iss', 'aud', 'exp', 'iat', 'sub', 'jti'],
    clockTolerance: toleranceS,
  };

  // A rotation elsewhere: reload the keys, and forget tokens verified with a key that may have been withdrawn.
  const onRotation = () => {
    jwks.invalidate();
    cache.clear();
  };
  const keysSubscription = options.kv.subscribe(KEYS_CHANNEL, onRotation);
  keysSubscription.catch(() => {});

  /** Keys named by kid are required: without one, jose would guess among the current and retired keys. */
  const withKid =
    (resolver: JWTVerifyGetKey): JWTVerifyGetKey =>
    (header, token) => {
      if (typeof header.kid !== 'string' || header.kid.length === 0) throw new TokenRejectedError('malformed');
      return resolver(header, token);
    };

  async function verifySignature(token: string) {
    const attempt = async () => {
      const resolver = await jwks.current().catch((error: unknown) => {
        throw unavailable('signing keys', error);
      });
      return jwtVerify(token, withKid(resolver), jwtOptions);
    };
    try {
      return await attempt();
    } catch (error) {
      if (isGalleyError(error)) throw error;
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw rejectionOf(error);
      const reloaded = await jwks.reloadForUnknownKid().catch((cause: unknown) => {
        throw unavailable('signing keys', cause);
      });
      if (!reloaded) throw rejectionOf(error);
      return attempt().catch((retryError: unknown) => {
        throw isGalleyError(retryError) ? retryError : rejectionOf(retryError);
      });
    }
  }

  async function deniedInKv(keys: readonly string[]): Promise<boolean> {
    try {
      return await denyList.deniedInKv(keys);
    } catch (error) {
      throw unavailable('revocation list', error);
    }
  }

  /** First sight of a token: full verification and a kv deny-list check. */
  async function verifyFresh(token: string): Promise<Verified> {
    const { payload } = await verifySignature(token);
    const principal = principalOf(payload);
    const denyKeys = denyKeysOf(principal);
    const checkedAt = Date.now();
    if (denyList.deniedLocally(denyKeys) || (await deniedInKv(denyKeys))) throw new TokenRejectedError('revoked');
    const verified: Verified = {
      principal,
      denyKeys,
      validUntil: (principal.expiresAt + toleranceS) * 1000,
      checkedAt,
    };
    const ttl = Math.floor(verified.validUntil - Date.now());
    if (ttl > 0) cache.set(token, verified, { ttl });
    return verified;
  }

  /** Verifies each distinct token once even when many requests carry it at the same moment. */
  function verifyOnce(token: string): Promise<Verified> {
    const pending = inFlight.get(token);
    if (pending !== undefined) return pending;
    const started = verifyFresh(token);
    inFlight.set(token, started);
    const forget = () => inFlight.delete(token);
    started.then(forget, forget);
    return started;
  }

  return {
    async verify(token) {
      if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) {
        throw new TokenRejectedError('malformed');
      }
      // The subscription must be live before the first kv check, or a denial between the two could be missed.
      await denyList.ready().catch((error: unknown) => {
        throw unavailable('revocation list', error);
      });
      const now = Date.now();
      const hit = cache.get(token);
      const verified = hit !== undefined && now < hit.validUntil ? hit : await verifyOnce(token);
      if (Date.now() >= verified.validUntil) {
        cache.delete(token);
        throw new TokenRejectedError('expired');
      }
      if (denyList.deniedLocally(verified.denyKeys)) throw new TokenRejectedError('revoked');
      if (now - verified.checkedAt > denyRecheckMs) {
        if (await deniedInKv(verified.denyKeys)) throw new TokenRejectedError('revoked');
        verified.checkedAt = now;
      }
      return verified.principal;
    },

    get jwksLoads() {
      return jwks.loads;
    },

    async close() {
      cache.clear();
      await denyList.close();
      const unsubscribe = await keysSubscription.catch(() => undefined);
      if (unsubscribe !== undefined) await unsubscribe();
    },
  };
}
