/**
 * Memoization of model results by call key (which carries the scope: per user by default, per tenant when the
 * task says so). A bounded, TTL'd cache (the cache port: in-process LRU embedded, Redis + local tier
 * distributed) sits in front of the durable result store; a stored result older than the TTL is not served.
 * Only successful, complete, schema-valid results are ever stored, so errors and truncated outputs are never
 * memoized. Next to the exact memo, each computed result is anchored under its reuse key (nearDuplicates.ts) so
 * that a near-duplicate input of the same entry can be answered by it.
 */
import type { Cache, CacheProvider } from '../../data/cache/port.ts';
import type { Store } from '../../data/store/port.ts';
import { findResult, type StoredResult } from '../gateway/resultStore.ts';
import type { TaskInput } from '../tasks.ts';
import { decodeSketch, encodeSketch, type ReuseAnchor, similarity, sketchOf } from './nearDuplicates.ts';

/** Memo entries kept per process (the Redis tier holds the shared copy). */
const MEMO_MAX_ENTRIES = 20_000;

/** The memo of one process. */
export interface Memo {
  /** The memoized result of `callKey`, if fresh. */
  get(callKey: string): Promise<StoredResult | undefined>;
  /**
   * Remembers a result just stored; with `anchor`, also as the latest computed answer for its reuse key, whose
   * input was `anchor.input`.
   */
  remember(result: StoredResult, anchor?: { readonly reuseKey: string; readonly input: TaskInput }): Promise<void>;
  /**
   * The latest computed result anchored under `reuseKey` when its input is at least `minSimilarity` similar to
   * `input` (and still fresh), with the similarity.
   */
  nearest(
    reuseKey: string,
    input: TaskInput,
    minSimilarity: number,
  ): Promise<{ readonly result: StoredResult; readonly similarity: number } | undefined>;
  /** Hits and misses so far (for the bench and metrics). */
  readonly cache: Cache<StoredResult>;
}

/** Creates the memo over the cache provider and the result store. */
export function createMemo(caches: CacheProvider, store: Store, ttlSeconds: number): Memo {
  const ttlMs = ttlSeconds * 1000;
  const cache = caches.create<StoredResult>('ai.memo', { max: MEMO_MAX_ENTRIES, ttlMs: Math.max(ttlMs, 1) });
  const anchors = caches.create<ReuseAnchor>('ai.reuse', { max: MEMO_MAX_ENTRIES, ttlMs: Math.max(ttlMs, 1) });
  const get = async (callKey: string): Promise<StoredResult | undefined> => {
    if (ttlMs === 0) return undefined;
    const cached = await cache.get(callKey);
    if (cached !== undefined) return cached;
    const stored = await findResult(store, callKey);
    if (stored === undefined || Date.now() - stored.createdAt > ttlMs) return undefined;
    await cache.set(callKey, stored, ttlMs - (Date.now() - stored.createdAt));
    return stored;
  };
  return {
    cache,
    get,
    async remember(result, anchor) {
      if (ttlMs === 0) return;
      await cache.set(result.callKey, result, ttlMs);
      if (anchor !== undefined) {
        await anchors.set(
          anchor.reuseKey,
          { callKey: result.callKey, sketch: encodeSketch(sketchOf(anchor.input)) },
          ttlMs,
        );
      }
    },
    async nearest(reuseKey, input, minSimilarity) {
      if (ttlMs === 0 || minSimilarity >= 1) return undefined;
      const anchor = await anchors.get(reuseKey);
      if (anchor === undefined) return undefined;
      const score = similarity(decodeSketch(anchor.sketch), sketchOf(input));
      if (score < minSimilarity) return undefined;
      const result = await get(anchor.callKey);
      return result === undefined ? undefined : { result, similarity: score };
    },
  };
}
