/**
 * `traceDataPlane(plane)`: the data plane with spans on every port (store queries, kv, cache, search, queue
 * enqueue and processing), applied in one place (openDataPlane) so that use cases need no tracing code. The
 * adapters inside the plane keep the untraced store: a kv or queue call is one span, not a span per SQL statement
 * it runs, and the queue's polling records nothing.
 *
 * Behaviour is unchanged: every call goes to the same port with the same arguments and returns what it returned.
 * When tracing is off when the plane is opened, the plane is returned as it is.
 */
import type { DataPlane } from '../../data/dataPlane.ts';
import { traceCaches, traceKv, traceSearch } from './portTracing.ts';
import { traceQueue } from './queueTracing.ts';
import { activeTracer } from './spans.ts';
import { traceStore } from './storeTracing.ts';

/** The plane with spans on every port; the plane itself while tracing is off. Closing it closes the original. */
export function traceDataPlane(plane: DataPlane): DataPlane {
  if (activeTracer() === undefined) return plane;
  // The store dialect tells the backends apart: SQLite means the embedded adapters, PostgreSQL the Redis ones.
  const embedded = plane.store.dialect === 'sqlite';
  return Object.freeze({
    store: traceStore(plane.store),
    kv: traceKv(plane.kv, embedded ? 'sqlite' : 'redis'),
    caches: traceCaches(plane.caches),
    queue: traceQueue(plane.queue, embedded ? 'galley.sqlite' : 'bullmq'),
    search: traceSearch(plane.search),
    publishedSearch: traceSearch(plane.publishedSearch),
    close: (graceMs?: number) => plane.close(graceMs),
  });
}
