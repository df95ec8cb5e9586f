/**
 * The `kv` port: small, hot, shared values — flag snapshots, the revocation deny-list, rate-limit and budget
 * counters. Adapters: `sqlite/` (a table in the embedded database with an in-process read cache) and `redis/`.
 *
 * Contract:
 * - Values are strings (callers JSON-encode). Keys are namespaced by the caller (`flags:…`, `deny:jti:…`).
 * - `ttlMs` makes a key expire; an expired key reads as absent.
 * - `incrementWithLimit` is atomic: concurrent callers never push a counter above its limit (budget reserve);
 *   `increment` is unconditional (settle with a negative delta to give back an over-reservation).
 * - `compareAndSet` writes only when the current value equals `expected` (null = absent).
 * - `publish`/`subscribe` deliver change notifications to every process (in-process on embedded, Redis pub/sub
 *   on distributed) within one second.
 */

/** Options for a write. */
export interface KvWriteOptions {
  /** Milliseconds until the key expires; absent = never. */
  readonly ttlMs?: number;
}

/** Result of a limited increment. */
export interface IncrementResult {
  /** True when the increment was applied. */
  readonly ok: boolean;
  /** The counter's value after the call (unchanged when refused). */
  readonly value: number;
}

/** A message handler for a channel. */
export type KvListener = (message: string) => void;

/** The key-value port. */
export interface Kv {
  /** Reads a value; undefined when absent or expired. */
  get(key: string): Promise<string | undefined>;
  /** Writes a value. Without `ttlMs` the key never expires, even if it had an expiry before. */
  set(key: string, value: string, options?: KvWriteOptions): Promise<void>;
  /** Removes a key; true when it existed. */
  delete(key: string): Promise<boolean>;
  /**
   * Writes `next` only when the current value equals `expected` (null = must be absent); true when written.
   * An expired key counts as absent. A write sets the expiry like `set` does.
   */
  compareAndSet(key: string, expected: string | null, next: string, options?: KvWriteOptions): Promise<boolean>;
  /**
   * Adds `delta` (may be negative) to an integer counter, creating it at 0; returns the new value.
   * `ttlMs` applies when this call creates the counter (an expired counter restarts at 0 and counts as created);
   * an existing counter keeps its expiry, so a counter with a ttl is a fixed window. Deltas, limits and values
   * are safe integers; a key holding a non-integer rejects with `KvNotAnIntegerError` (errors.ts).
   */
  increment(key: string, delta: number, options?: KvWriteOptions): Promise<number>;
  /** Adds `delta` only if the result stays ≤ `limit`; atomic across concurrent callers and processes. Expiry as `increment`. */
  incrementWithLimit(key: string, delta: number, limit: number, options?: KvWriteOptions): Promise<IncrementResult>;
  /** Sends a message to every subscriber of `channel` in every process. */
  publish(channel: string, message: string): Promise<void>;
  /** Listens on `channel`; the returned function unsubscribes. */
  subscribe(channel: string, listener: KvListener): Promise<() => Promise<void>>;
  /** Resolves when the backend answers. */
  ping(): Promise<void>;
  /** Releases connections and timers. */
  close(): Promise<void>;
}
