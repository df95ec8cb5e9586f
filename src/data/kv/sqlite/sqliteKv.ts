/**
 * Embedded kv adapter: the `kv_entries` table (migration 0003) behind an in-process read cache.
 *
 * Embedded Galley is one process, so this adapter is the only writer of its table and keeps its cache coherent
 * by writing through it; kv instances on the same `Store` object share that cache (see sharedState.ts). A second
 * OS process writing the same file would not be seen until its keys leave the cache.
 *
 * Atomicity: each operation is one SQL statement (plus a read-back when a counter write is refused), and a
 * SQLite statement is atomic on its own; the store runs statements one at a time on its single connection and
 * SQLite serializes writers, so concurrent `incrementWithLimit` calls can never overshoot. Writes that queue up
 * behind each other are committed together in one transaction (writeBatcher.ts), because the commit, not the
 * statement, is what a write costs.
 *
 * Expired keys read as absent everywhere; a read that meets one deletes it, and an unref'd sweep deletes the
 * rest. Publish/subscribe is an in-process EventEmitter, delivered on the next tick like a Redis message.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import type { Store } from '../../store/port.ts';
import type { Database } from '../../store/schema.ts';
import { assertSafeInteger, ttlOf } from '../arguments.ts';
import { KvNotAnIntegerError } from '../errors.ts';
import type { IncrementResult, Kv, KvListener, KvWriteOptions } from '../port.ts';
import { acquireShared, type CachedEntry, releaseShared, type SqliteKvOptions } from './sharedState.ts';
import {
  DELETE_ENTRY,
  INCREMENT_WITH_LIMIT,
  INSERT_IF_ABSENT,
  type KvRow,
  PURGE_EXPIRED_ENTRY,
  REPLACE_IF_EQUAL,
  SELECT_ENTRY,
  UPSERT_ENTRY,
} from './statements.ts';

export type { SqliteKvOptions } from './sharedState.ts';

type Executor = Kysely<Database>;

const ABSENT: CachedEntry = Object.freeze({ value: undefined, expiresAt: null });
const UNLIMITED = BigInt(Number.MAX_SAFE_INTEGER);

function isLive(expiresAt: number | null, now: number): boolean {
  return expiresAt === null || expiresAt > now;
}

function entryOf(row: KvRow | undefined): CachedEntry {
  return row === undefined ? ABSENT : { value: row.value, expiresAt: row.expires_at };
}

function expiryOf(now: number, ttlMs: number | undefined): bigint | null {
  return ttlMs === undefined ? null : BigInt(now + ttlMs);
}

async function rowsOf(executor: Executor, sql: string, parameters: unknown[]): Promise<KvRow[]> {
  return (await executor.executeQuery<KvRow>(CompiledQuery.raw(sql, parameters))).rows;
}

async function readEntry(executor: Executor, key: string): Promise<CachedEntry> {
  const [row] = await rowsOf(executor, SELECT_ENTRY, [key]);
  const now = Date.now();
  if (row === undefined || isLive(row.expires_at, now)) return entryOf(row);
  await rowsOf(executor, PURGE_EXPIRED_ENTRY, [key, BigInt(now)]);
  return ABSENT;
}

/** Why a counter write was refused: throws when the value is not an integer, else returns it (0 when absent). */
async function refusedValue(executor: Executor, key: string): Promise<{ value: number; entry: CachedEntry }> {
  const entry = await readEntry(executor, key);
  if (entry.value === undefined) return { value: 0, entry };
  const value = Number(entry.value);
  if (!Number.isSafeInteger(value) || String(value) !== entry.value) throw new KvNotAnIntegerError(key);
  return { value, entry };
}

/** What one operation returns and what it learnt about its key (null = unknown; drop it from the cache). */
interface Outcome<T> {
  readonly result: T;
  readonly entry: CachedEntry | null;
}

/**
 * Opens the embedded kv on a migrated store. Options apply when this is the first kv on the store. `close()`
 * ends this instance's subscriptions (and, for the last instance, the sweep) but leaves the store open.
 */
export function createSqliteKv(store: Store, options: SqliteKvOptions = {}): Kv {
  const state = acquireShared(store, options);
  const { cache, activity, channels, writes } = state;
  const subscriptions = new Set<{ channel: string; deliver: KvListener }>();
  let closed = false;

  /**
   * Runs one operation on `key` and caches what it learnt. Overlapping operations on one key may settle in a
   * different order than they executed, so then the entry is dropped instead and the next read reloads it.
   */
  async function tracked<T>(key: string, run: () => Promise<Outcome<T>>): Promise<T> {
    activity.begin(key);
    let learnt: CachedEntry | null = null;
    try {
      const outcome = await run();
      learnt = outcome.entry;
      return outcome.result;
    } finally {
      if (activity.end(key) && learnt !== null) cache.set(key, learnt);
      else cache.delete(key);
    }
  }

  /** A tracked write, committed through the shared group-commit queue. */
  function write<T>(key: string, run: (executor: Executor) => Promise<Outcome<T>>): Promise<T> {
    return tracked(key, () => writes.submit(run));
  }

  function incrementBy(key: string, delta: number, limit: bigint, options?: KvWriteOptions): Promise<IncrementResult> {
    assertSafeInteger('delta', delta);
    const ttlMs = ttlOf(options);
    return write<IncrementResult>(key, async (executor) => {
      const now = Date.now();
      const params = [key, BigInt(delta), limit, BigInt(now), expiryOf(now, ttlMs)];
      const [row] = await rowsOf(executor, INCREMENT_WITH_LIMIT, params);
      if (row !== undefined) return { result: { ok: true, value: Number(row.value) }, entry: entryOf(row) };
      const refused = await refusedValue(executor, key);
      return { result: { ok: false, value: refused.value }, entry: refused.entry };
    });
  }

  return {
    async get(key) {
      const cached = cache.get(key);
      if (cached !== undefined && isLive(cached.expiresAt, Date.now())) return cached.value;
      return tracked(key, async () => {
        const entry = await readEntry(store.db, key);
        return { result: entry.value, entry };
      });
    },

    async set(key, value, options) {
      const ttlMs = ttlOf(options);
      await write(key, async (executor) => {
        const expiresAt = expiryOf(Date.now(), ttlMs);
        await rowsOf(executor, UPSERT_ENTRY, [key, value, expiresAt]);
        return { result: undefined, entry: { value, expiresAt: expiresAt === null ? null : Number(expiresAt) } };
      });
    },

    async delete(key) {
      return write(key, async (executor) => {
        const [row] = await rowsOf(executor, DELETE_ENTRY, [key]);
        return { result: row !== undefined && isLive(row.expires_at, Date.now()), entry: ABSENT };
      });
    },

    async compareAndSet(key, expected, next, options) {
      const ttlMs = ttlOf(options);
      return write(key, async (executor) => {
        const now = Date.now();
        const expiresAt = expiryOf(now, ttlMs);
        const [row] =
          expected === null
            ? await rowsOf(executor, INSERT_IF_ABSENT, [key, next, expiresAt, BigInt(now)])
            : await rowsOf(executor, REPLACE_IF_EQUAL, [key, expected, next, expiresAt, BigInt(now)]);
        // A refused write leaves the current value unknown here; the next read loads it.
        return { result: row !== undefined, entry: row === undefined ? null : entryOf(row) };
      });
    },

    async increment(key, delta, options) {
      const result = await incrementBy(key, delta, UNLIMITED, options);
      if (!result.ok) throw new RangeError(`kv: counter "${key}" would leave the safe integer range`);
      return result.value;
    },

    async incrementWithLimit(key, delta, limit, options) {
      assertSafeInteger('limit', limit);
      return incrementBy(key, delta, BigInt(limit), options);
    },

    async publish(channel, message) {
      // Next tick, like a message from Redis: a publisher never runs subscriber code inline.
      process.nextTick(() => channels.emit(channel, message));
    },

    async subscribe(channel, listener) {
      // A wrapper per subscription, so subscribing one function twice yields two independent subscriptions.
      const subscription = { channel, deliver: (message: string) => listener(message) };
      channels.on(channel, subscription.deliver);
      subscriptions.add(subscription);
      return async () => {
        if (subscriptions.delete(subscription)) channels.off(channel, subscription.deliver);
      };
    },

    async ping() {
      await store.ping();
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const { channel, deliver } of subscriptions) channels.off(channel, deliver);
      subscriptions.clear();
      releaseShared(store, state);
    },
  };
}
