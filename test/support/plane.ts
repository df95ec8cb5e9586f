/**
 * A real data plane over a test store: the embedded adapters, or the distributed ones under a Redis key prefix of
 * the test's own. Its `close` leaves the store open, because the store belongs to openTestStore's cleanup.
 */
import { createMemoryCacheProvider } from '../../src/data/cache/memory/memoryCache.ts';
import { createRedisCacheProvider } from '../../src/data/cache/redis/redisCache.ts';
import type { DataPlane } from '../../src/data/dataPlane.ts';
import { createRedisKv } from '../../src/data/kv/redis/redisKv.ts';
import { createSqliteKv } from '../../src/data/kv/sqlite/sqliteKv.ts';
import { createBullmqQueue } from '../../src/data/queue/bullmq/bullmqQueue.ts';
import { createSqliteQueue } from '../../src/data/queue/sqlite/sqliteQueue.ts';
import { createPostgresSearch } from '../../src/data/search/postgres-fts/postgresSearch.ts';
import { createSqliteSearch } from '../../src/data/search/sqlite-fts/sqliteSearch.ts';
import type { Store } from '../../src/data/store/port.ts';
import { type Backend, TEST_REDIS_URL } from './backends.ts';

/** Builds the plane's ports on `store`; Redis keys (distributed) start with `prefix`. */
export function testPlane(backend: Backend, store: Store, prefix: string): DataPlane {
  const ports =
    backend === 'embedded'
      ? {
          kv: createSqliteKv(store),
          caches: createMemoryCacheProvider(),
          queue: createSqliteQueue(store),
          search: createSqliteSearch(store),
          publishedSearch: createSqliteSearch(store, { collection: 'published' }),
        }
      : {
          kv: createRedisKv({ url: TEST_REDIS_URL, prefix }),
          caches: createRedisCacheProvider({ url: TEST_REDIS_URL, prefix }),
          queue: createBullmqQueue({ url: TEST_REDIS_URL, prefix }),
          search: createPostgresSearch(store),
          publishedSearch: createPostgresSearch(store, { collection: 'published' }),
        };
  return {
    store,
    ...ports,
    async close(graceMs = 0) {
      await ports.queue.close(graceMs);
      await Promise.allSettled([ports.kv.close(), ports.caches.close()]);
    },
  };
}
