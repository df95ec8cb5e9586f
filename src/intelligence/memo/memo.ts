/**
 * Memoization of model results by call key (which carries the scope: per user by default, per tenant when the
 * task says so). A bounded, TTL'd cache (the cache port: in-process LRU embedded, Redis + local tier
 * distributed) sits in front of the durable result store; a stored result older than the TTL is not served.
 * Only successful, complete, schema-valid results are ever stored, so errors and truncated outputs are never
 * memoized.
 */
import type { Cache, CacheProvider } from '../../data/cache/port.ts';
import type { Store } from '../../data/store/port.ts';
import { findResult, type StoredResult } from '../gateway/resultStore.ts';

/** Memo entries kept per process (the Redis tier holds the shared copy). */
const MEMO_MAX_ENTRIES = 20_000;

/** The memo of one process. */
export interface Memo {
  /** The memoized result of `callKey`, if fresh. */
  get(callKey: string): Promise<StoredResult | undefined>;
  /** Remembers a result just stored. */
  remember(result: StoredResult): Promise<void>;
  /** Hits and misses so far (for the bench and metrics). */
  readonly cache: Cache<StoredResult>;
}

/** Creates the memo over the cache provider and the result store. */
export function createMemo(caches: CacheProvider, store: Store, ttlSeconds: number): Memo {
  const ttlMs = ttlSeconds * 1000;
  const cache = caches.create<StoredResult>('ai.memo', { max: MEMO_MAX_ENTRIES, ttlMs: Math.max(ttlMs, 1) });
  return {
    cache,
    async get(callKey) {
      if (ttlMs === 0) return undefined;
      const cached = await cache.get(callKey);
      if (cached !== undefined) return cached;
      const stored = await findResult(store, callKey);
      if (stored === undefined || Date.now() - stored.createdAt > ttlMs) return undefined;
      await cache.set(callKey, stored, ttlMs - (Date.now() - stored.createdAt));
      return stored;
    },
    async remember(result) {
      if (ttlMs > 0) await cache.set(result.callKey, result, ttlMs);
    },
  };
}
