/**
 * Opens the data plane the configuration selects. Embedded: one SQLite file, in-process cache, SQLite kv and
 * lease queue, FTS5 search. Distributed: PostgreSQL store and search, Redis kv and cache broadcast, BullMQ queue.
 */
import type { Config } from '../config/config.ts';
import { traceDataPlane } from '../ops/tracing/dataPlaneTracing.ts';
import { createMemoryCacheProvider } from './cache/memory/memoryCache.ts';
import { createRedisCacheProvider } from './cache/redis/redisCache.ts';
import type { DataPlane } from './dataPlane.ts';
import { createRedisKv } from './kv/redis/redisKv.ts';
import { createSqliteKv } from './kv/sqlite/sqliteKv.ts';
import { createBullmqQueue } from './queue/bullmq/bullmqQueue.ts';
import { createSqliteQueue } from './queue/sqlite/sqliteQueue.ts';
import { createPostgresSearch } from './search/postgres-fts/postgresSearch.ts';
import { createSqliteSearch } from './search/sqlite-fts/sqliteSearch.ts';
import { openConfiguredStore } from './store/openStore.ts';

/** Opens every port on the adapters chosen by `config.mode`. */
export async function openDataPlane(config: Config): Promise<DataPlane> {
  if (config.mode === 'embedded') {
    const store = openConfiguredStore(config);
    const kv = createSqliteKv(store);
    const caches = createMemoryCacheProvider();
    const queue = createSqliteQueue(store);
    const search = createSqliteSearch(store);
    const publishedSearch = createSqliteSearch(store, { collection: 'published' });
    return assemble({ store, kv, caches, queue, search, publishedSearch });
  }
  if (config.databaseUrl === undefined || config.redisUrl === undefined) {
    // loadConfig already refuses this; the check narrows the types and guards direct callers.
    throw new Error('distributed mode needs both DATABASE_URL and REDIS_URL');
  }
  const store = openConfiguredStore(config);
  const kv = createRedisKv({ url: config.redisUrl, prefix: config.redisPrefix });
  const caches = createRedisCacheProvider({ url: config.redisUrl, prefix: config.redisPrefix });
  const queue = createBullmqQueue({ url: config.redisUrl, prefix: config.redisPrefix });
  const search = createPostgresSearch(store);
  const publishedSearch = createPostgresSearch(store, { collection: 'published' });
  return assemble({ store, kv, caches, queue, search, publishedSearch });
}

/** The plane, with spans on every port when tracing runs in this process (ops/tracing/dataPlaneTracing.ts). */
function assemble(ports: Omit<DataPlane, 'close'>): DataPlane {
  return traceDataPlane(assembleUntraced(ports));
}

function assembleUntraced(ports: Omit<DataPlane, 'close'>): DataPlane {
  return Object.freeze({
    ...ports,
    async close(graceMs?: number) {
      // Jobs drain first: they may still write to the store, kv and caches.
      await ports.queue.close(graceMs);
      await Promise.allSettled([ports.kv.close(), ports.caches.close()]);
      await ports.store.close();
    },
  });
}
