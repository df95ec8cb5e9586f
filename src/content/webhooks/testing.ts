import { type Backend, openTestStore, TEST_REDIS_URL, uniqueName } from '../../../test/support/backends.ts';
import { deleteRedisKeys } from '../../../test/support/redisKeys.ts';
import { createMemoryCacheProvider } from '../../data/cache/memory/memoryCache.ts';
import type { DataPlane } from '../../data/dataPlane.ts';
import { appendEvent } from '../../data/events/eventLog.ts';
import type { StoredEvent } from '../../data/events/port.ts';
import { createRedisKv } from '../../data/kv/redis/redisKv.ts';
import { createSqliteKv } from '../../data/kv/sqlite/sqliteKv.ts';
import { createBullmqQueue } from '../../data/queue/bullmq/bullmqQueue.ts';
import type { Queue, Worker } from '../../data/queue/port.ts';
import { createSqliteQueue } from '../../data/queue/sqlite/sqliteQueue.ts';
import { openSearchIndex } from '../../data/search/openSearch.ts';
import type { Store } from '../../data/store/port.ts';
import { createMetrics, type GalleyMetrics } from '../../ops/metrics/registry.ts';
import { createDeliveryHandler, type DeliveryHandlerOptions } from './deliveryHandler.ts';
import { type DeliveryRetry, WEBHOOK_DELIVER_QUEUE } from './deliveryQueue.ts';
import { createWebhookDispatcher, type WebhookDispatcher } from './webhookDispatcher.ts';

/** Master secret of the bench. */
export const TEST_MASTER_SECRET = 'webhook-test-master-secret-0123456789abcdef';

/** Retries fast enough for tests: 5 attempts from 100 ms. */
export const TEST_RETRY: DeliveryRetry = Object.freeze({ maxAttempts: 5, backoffMs: 100 });

/** What a webhook test needs. */
export interface WebhookBench {
  readonly backend: Backend;
  readonly store: Store;
  readonly queue: Queue;
  /** A full data plane over the bench's store and queue (kv, caches and search on the same backend). */
  readonly plane: DataPlane;
  readonly metrics: GalleyMetrics;
  /** Schema (PostgreSQL) or file (SQLite) of the store, for a second connection (CLI tests). */
  readonly location: string;
  readonly schema: string | undefined;
  /** Redis prefix of the distributed queue and kv. */
  readonly redisPrefix: string;
  /** A dispatcher over the bench (TEST_RETRY unless given). */
  dispatcher(retry?: DeliveryRetry): WebhookDispatcher;
  /** Starts processing `webhooks.deliver` with a handler built from the bench and `overrides`. */
  startDeliveryWorker(overrides?: Partial<DeliveryHandlerOptions>): Worker;
  /** Appends an event to the tenant's log. */
  emit(tenantId: string, name: string, data?: unknown): Promise<StoredEvent>;
  cleanup(): Promise<void>;
}

/** Opens a bench on `backend`. */
export async function openWebhookBench(backend: Backend): Promise<WebhookBench> {
  const t = await openTestStore(backend);
  const store = t.store;
  const redisPrefix = uniqueName('webhooks');
  const queue =
    backend === 'embedded'
      ? createSqliteQueue(store, { pollMs: 50 })
      : createBullmqQueue({ url: TEST_REDIS_URL, prefix: redisPrefix });
  const kv =
    backend === 'embedded' ? createSqliteKv(store) : createRedisKv({ url: TEST_REDIS_URL, prefix: redisPrefix });
  const caches = createMemoryCacheProvider();
  const search = openSearchIndex(store);
  const plane: DataPlane = {
    store,
    kv,
    caches,
    queue,
    search,
    publishedSearch: openSearchIndex(store, 'published'),
    async close() {
      await queue.close(1000);
      await Promise.all([kv.close(), caches.close()]);
    },
  };
  const metrics = createMetrics({ collectDefault: false });
  const workers: Worker[] = [];
  return {
    backend,
    store,
    queue,
    plane,
    metrics,
    location: t.location,
    schema: t.schema,
    redisPrefix,
    dispatcher(retry = TEST_RETRY) {
      return createWebhookDispatcher({ store, queue, retry });
    },
    startDeliveryWorker(overrides = {}) {
      const handler = createDeliveryHandler({
        store,
        secret: TEST_MASTER_SECRET,
        allowPrivateTargets: true,
        metrics,
        timeoutMs: 3000,
        ...overrides,
      });
      const worker = queue.process(WEBHOOK_DELIVER_QUEUE, handler, { concurrency: 4 });
      workers.push(worker);
      return worker;
    },
    emit(tenantId, name, data = {}) {
      return appendEvent(store.db, { tenantId, name, subjectId: 'subject-1', actor: 'system', data });
    },
    async cleanup() {
      await Promise.all(workers.map((w) => w.close(1000)));
      await plane.close();
      metrics.close();
      await t.cleanup();
      if (backend === 'distributed') await deleteRedisKeys(`${redisPrefix}:*`);
    },
  };
}

/** Polls `check` until it returns something other than undefined/false; generous deadline, no tight timing. */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
