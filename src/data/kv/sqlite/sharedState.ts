/**
 * What every embedded kv opened on one `Store` object shares: the read cache, the in-flight tracker, the write
 * batcher, the channels and the expiry sweep. Sharing keeps several kv instances of one process coherent with
 * each other (a write through one is seen by the others' reads at once), lets publications reach all of them,
 * and puts all their writes in one group-commit queue.
 */
import { EventEmitter } from 'node:events';
import { CompiledQuery, type Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Store } from '../../store/port.ts';
import type { Database } from '../../store/schema.ts';
import { KeyActivity } from './keyActivity.ts';
import { SWEEP_EXPIRED } from './statements.ts';
import { WriteBatcher } from './writeBatcher.ts';

/** Tuning of the embedded kv; the defaults suit production. */
export interface SqliteKvOptions {
  /** How often expired rows are deleted, in milliseconds (default 60 000). */
  readonly sweepIntervalMs?: number;
  /** Keys (present or known absent) held by the read cache (default 10 000). */
  readonly cacheMax?: number;
}

/** What the read cache knows about a key: its value (undefined = absent) and expiry (epoch ms, null = never). */
export interface CachedEntry {
  readonly value: string | undefined;
  readonly expiresAt: number | null;
}

/** The state kv instances on one store share. */
export interface SharedState {
  readonly cache: LRUCache<string, CachedEntry>;
  readonly activity: KeyActivity;
  readonly writes: WriteBatcher<Database>;
  readonly channels: EventEmitter;
  readonly sweep: NodeJS.Timeout;
  /** Open kv instances; the last to close stops the sweep and drops the cache. */
  users: number;
}

const sharedByStore = new WeakMap<Store, SharedState>();

/** Joins (or starts) the shared state of `store`; `options` apply only when starting it. */
export function acquireShared(store: Store, options: SqliteKvOptions): SharedState {
  const existing = sharedByStore.get(store);
  if (existing !== undefined) {
    existing.users += 1;
    return existing;
  }
  const channels = new EventEmitter();
  channels.setMaxListeners(0);
  const sweep = setInterval(() => sweepExpired(store.db), options.sweepIntervalMs ?? 60_000);
  sweep.unref();
  const state: SharedState = {
    cache: new LRUCache<string, CachedEntry>({ max: options.cacheMax ?? 10_000 }),
    activity: new KeyActivity(),
    writes: new WriteBatcher(store.db),
    channels,
    sweep,
    users: 1,
  };
  sharedByStore.set(store, state);
  return state;
}

/** Leaves the shared state; the last user stops the sweep and clears the cache and channels. */
export function releaseShared(store: Store, state: SharedState): void {
  state.users -= 1;
  if (state.users > 0) return;
  clearInterval(state.sweep);
  state.cache.clear();
  state.channels.removeAllListeners();
  if (sharedByStore.get(store) === state) sharedByStore.delete(store);
}

function sweepExpired(db: Kysely<Database>): void {
  // Best effort: expired rows are already invisible to every statement, so a failed sweep (e.g. the store
  // closed first during shutdown) loses nothing and the next one retries.
  db.executeQuery(CompiledQuery.raw(SWEEP_EXPIRED, [BigInt(Date.now())])).catch(() => undefined);
}
