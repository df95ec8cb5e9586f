/**
 * The `cache` port: bounded, TTL'd read caches in front of the store. Adapters: `memory/` (lru-cache in the
 * process) and `redis/` (an in-process LRU in front of Redis, with invalidations broadcast to every process).
 *
 * Contract:
 * - A cache is named (`entries`, `flags`…); keys are strings chosen by the caller and always include a tenant.
 * - `get` counts a hit or a miss; `stats()` exposes them for metrics.
 * - `delete` (invalidate) removes the key in every process before the promise resolves locally and within one
 *   second elsewhere.
 * - Values are JSON-serialisable (`undefined` is refused: it would read back as a miss). Cached values are shared,
 *   not copied, between callers of one process: treat them as immutable.
 * - `set` replaces the value everywhere: other processes drop their local copy like on `delete`.
 */

/** Hit and miss counters of one cache. */
export interface CacheStats {
  readonly hits: number;
  readonly misses: number;
  /** Entries currently held in this process. */
  readonly size: number;
}

/** One named cache. */
export interface Cache<V> {
  /** The cache's name, used as metric label and key namespace. */
  readonly name: string;
  get(key: string): Promise<V | undefined>;
  set(key: string, value: V, ttlMs?: number): Promise<void>;
  /** Invalidates a key everywhere. */
  delete(key: string): Promise<void>;
  /** Returns the cached value, or computes, stores and returns it (concurrent misses compute once per process). */
  getOrLoad(key: string, load: () => Promise<V>, ttlMs?: number): Promise<V>;
  stats(): CacheStats;
}

/** Options of a named cache. */
export interface CacheOptions {
  /** Most entries held in process. */
  readonly max: number;
  /** Default time to live in milliseconds. */
  readonly ttlMs: number;
}

/** Creates named caches that share one backend. */
export interface CacheProvider {
  /** Creates the cache called `name`; a name can be created once per provider (it is a metric label). */
  create<V>(name: string, options: CacheOptions): Cache<V>;
  /** Every cache created so far (metrics read their stats). */
  all(): readonly Cache<unknown>[];
  close(): Promise<void>;
}
