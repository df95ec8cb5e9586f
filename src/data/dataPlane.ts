/**
 * The data plane as one value: every port, opened on the adapters the configuration selects. Embedded mode
 * opens SQLite and in-process adapters; distributed mode opens PostgreSQL and Redis (both required, so that
 * every guarantee holds across processes).
 */
import type { Config } from '../config/config.ts';
import type { CacheProvider } from './cache/port.ts';
import type { Kv } from './kv/port.ts';
import type { Queue } from './queue/port.ts';
import type { SearchIndex } from './search/port.ts';
import type { Store } from './store/port.ts';

/** All data-plane ports of one process. */
export interface DataPlane {
  readonly store: Store;
  readonly kv: Kv;
  readonly caches: CacheProvider;
  readonly queue: Queue;
  /** The `current` collection: every live entry's draft (management search, the write path's projection). */
  readonly search: SearchIndex;
  /** The `published` collection: published copies (delivery search, AI retrieval over published content). */
  readonly publishedSearch: SearchIndex;
  /** Closes every port (queue first, so running jobs drain before the store goes). */
  close(graceMs?: number): Promise<void>;
}

/** A port that can be probed for readiness. */
export interface Probe {
  readonly name: string;
  check(): Promise<void>;
}

/** Readiness probes of the plane: store, kv and queue must answer for /readyz to be 200. */
export function readinessProbes(plane: DataPlane): readonly Probe[] {
  return [
    { name: 'store', check: () => plane.store.ping() },
    { name: 'kv', check: () => plane.kv.ping() },
    { name: 'queue', check: () => plane.queue.ping() },
  ];
}

/** Opens the adapters chosen by the configuration. Implemented in openDataPlane.ts once adapters exist. */
export type OpenDataPlane = (config: Config) => Promise<DataPlane>;
