/**
 * FOR HTTP EDGE TESTS ONLY. A DataPlane built from a real embedded store plus minimal doubles for the kv, queue,
 * caches and search ports, which the edge tests do not exercise beyond `ping()` (what /readyz needs). Every other
 * method of a double rejects, so a test that strays into real port behaviour fails loudly instead of passing on a
 * fake. Once the real adapters land, the edge tests switch to the real plane and this file goes away.
 */
import type { Cache, CacheProvider } from '../../src/data/cache/port.ts';
import type { DataPlane } from '../../src/data/dataPlane.ts';
import type { Kv } from '../../src/data/kv/port.ts';
import type { Queue, Worker } from '../../src/data/queue/port.ts';
import type { SearchIndex } from '../../src/data/search/port.ts';
import { openTestStore } from './backends.ts';

/** How a double's `ping()` behaves; switchable during a test. */
export type PingBehaviour = 'ok' | 'fail' | 'hang';

/** Edge-test plane plus switches for the doubles' readiness. */
export interface EdgeTestPlane {
  readonly plane: DataPlane;
  /** Current ping behaviour of the kv double. */
  kvPing: PingBehaviour;
  /** Current ping behaviour of the queue double. */
  queuePing: PingBehaviour;
  /** graceMs of every plane.close call, in order. */
  readonly closeCalls: number[];
}

function unavailable(port: string, method: string): Promise<never> {
  return Promise.reject(new Error(`${port}.${method} is not available on the edge-test plane double`));
}

function ping(behaviour: () => PingBehaviour, port: string): Promise<void> {
  const b = behaviour();
  if (b === 'ok') return Promise.resolve();
  if (b === 'fail') return Promise.reject(new Error(`${port} unreachable (double)`));
  return new Promise<void>(() => {});
}

function kvDouble(behaviour: () => PingBehaviour): Kv {
  return {
    get: () => unavailable('kv', 'get'),
    set: () => unavailable('kv', 'set'),
    delete: () => unavailable('kv', 'delete'),
    compareAndSet: () => unavailable('kv', 'compareAndSet'),
    increment: () => unavailable('kv', 'increment'),
    incrementWithLimit: () => unavailable('kv', 'incrementWithLimit'),
    publish: () => unavailable('kv', 'publish'),
    subscribe: () => unavailable('kv', 'subscribe'),
    ping: () => ping(behaviour, 'kv'),
    close: () => Promise.resolve(),
  };
}

function queueDouble(behaviour: () => PingBehaviour): Queue {
  return {
    enqueue: () => unavailable('queue', 'enqueue'),
    process: (): Worker => {
      throw new Error('queue.process is not available on the edge-test plane double');
    },
    status: () => unavailable('queue', 'status'),
    cancel: () => unavailable('queue', 'cancel'),
    stats: () => unavailable('queue', 'stats'),
    deadLetters: () => unavailable('queue', 'deadLetters'),
    retryDeadLetter: () => unavailable('queue', 'retryDeadLetter'),
    ping: () => ping(behaviour, 'queue'),
    close: () => Promise.resolve(),
  };
}

function cachesDouble(): CacheProvider {
  return {
    create<V>(): Cache<V> {
      throw new Error('caches.create is not available on the edge-test plane double');
    },
    all: () => [],
    close: () => Promise.resolve(),
  };
}

function searchDouble(): SearchIndex {
  return {
    upsert: () => unavailable('search', 'upsert'),
    upsertMany: () => unavailable('search', 'upsertMany'),
    remove: () => unavailable('search', 'remove'),
    clearTenant: () => unavailable('search', 'clearTenant'),
    query: () => unavailable('search', 'query'),
  };
}

/**
 * Edge tests only: a plane over a fresh embedded store (real SQLite, migrated) with ping-only doubles for kv and
 * queue. `close()` is idempotent and disposes of the store and its files; tests call it in `after`.
 */
export async function openEdgeTestPlane(): Promise<EdgeTestPlane> {
  const testStore = await openTestStore('embedded');
  let closing: Promise<void> | undefined;
  const state: EdgeTestPlane = {
    kvPing: 'ok',
    queuePing: 'ok',
    closeCalls: [],
    plane: {
      store: testStore.store,
      kv: kvDouble(() => state.kvPing),
      queue: queueDouble(() => state.queuePing),
      caches: cachesDouble(),
      search: searchDouble(),
      publishedSearch: searchDouble(),
      close(graceMs?: number): Promise<void> {
        state.closeCalls.push(graceMs ?? 0);
        closing ??= testStore.cleanup();
        return closing;
      },
    },
  };
  return state;
}
