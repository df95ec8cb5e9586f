/**
 * The verifier's copy of the published JWKS. Loaded on first use and kept; reloaded
 * - when a token names a `kid` the copy lacks (a rotation this process has not heard of), at most once per
 *   `unknownKidReloadMs` so a flood of forged kids cannot turn into a flood of store reads;
 * - when told a rotation happened (`invalidate`, fed by KEYS_CHANNEL);
 * - when the copy is older than `maxAgeMs`, so retired keys leave and a missed rotation message heals.
 * Concurrent reloads share one load.
 */
import { createLocalJWKSet, type JSONWebKeySet, type JWK, type JWTVerifyGetKey } from 'jose';
import type { Jwk } from '../keys/signingKeys.ts';

/** Where the public keys come from: loadKeySet(...).jwks, typically. */
export type JwksSource = () => Promise<{ readonly keys: readonly Jwk[] }>;

/** Options of the JWKS cache. */
export interface JwksCacheOptions {
  readonly source: JwksSource;
  /** Minimum gap between reloads caused by an unknown kid (default 5 000 ms). */
  readonly unknownKidReloadMs?: number;
  /** Reload when the copy is older than this (default 10 minutes). */
  readonly maxAgeMs?: number;
}

/** The cached key set and its reload rules. */
export interface JwksCache {
  /** The key resolver for jose's jwtVerify, loading the JWKS first if needed. */
  current(): Promise<JWTVerifyGetKey>;
  /**
   * Called when a token's kid was not found: reloads unless one happened within `unknownKidReloadMs`; true when
   * a reload ran (so retrying the token is worthwhile).
   */
  reloadForUnknownKid(): Promise<boolean>;
  /** Marks the copy stale; the next `current()` reloads. */
  invalidate(): void;
  /** How many times the JWKS was loaded (for tests and metrics). */
  readonly loads: number;
}

interface Loaded {
  readonly resolver: JWTVerifyGetKey;
  readonly loadedAt: number;
}

/** Creates the cache; nothing is loaded until the first `current()`. */
export function createJwksCache(options: JwksCacheOptions): JwksCache {
  const unknownKidReloadMs = options.unknownKidReloadMs ?? 5000;
  const maxAgeMs = options.maxAgeMs ?? 10 * 60_000;
  let loaded: Loaded | undefined;
  let loading: Promise<Loaded> | undefined;
  let lastUnknownKidReload = Number.NEGATIVE_INFINITY;
  let stale = false;
  let loads = 0;

  const load = (): Promise<Loaded> => {
    if (loading !== undefined) return loading;
    const started = (async () => {
      const set = await options.source();
      loads += 1;
      // jose's JWK type and node's JsonWebKey describe the same JSON; the copy keeps jose from sharing our objects.
      const jwks: JSONWebKeySet = { keys: set.keys.map((key) => ({ ...key }) as JWK) };
      const next: Loaded = { resolver: createLocalJWKSet(jwks), loadedAt: Date.now() };
      loaded = next;
      stale = false;
      return next;
    })();
    loading = started;
    void started.then(
      () => {
        if (loading === started) loading = undefined;
      },
      () => {
        if (loading === started) loading = undefined;
      },
    );
    return started;
  };

  return {
    async current() {
      if (loaded === undefined || stale || Date.now() - loaded.loadedAt > maxAgeMs) return (await load()).resolver;
      return loaded.resolver;
    },

    async reloadForUnknownKid() {
      // A load already under way (rotation message, first use) answers the question as well as a new one would.
      if (loading !== undefined) {
        await loading;
        return true;
      }
      const now = Date.now();
      if (now - lastUnknownKidReload < unknownKidReloadMs) return false;
      lastUnknownKidReload = now;
      await load();
      return true;
    },

    invalidate() {
      stale = true;
    },

    get loads() {
      return loads;
    },
  };
}
