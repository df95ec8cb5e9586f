/**
 * Scrapes /metrics after a scripted workload on real adapters (SQLite queue + in-process caches embedded; BullMQ
 * + Redis caches distributed) and checks every family is present and its numbers match what was done.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { BACKENDS, openTestStore, TEST_REDIS_URL, type TestStore, uniqueName } from '../../../test/support/backends.ts';
import { createMemoryCacheProvider } from '../../data/cache/memory/memoryCache.ts';
import type { CacheProvider } from '../../data/cache/port.ts';
import { createRedisCacheProvider } from '../../data/cache/redis/redisCache.ts';
import { createBullmqQueue } from '../../data/queue/bullmq/bullmqQueue.ts';
import type { Queue } from '../../data/queue/port.ts';
import { createSqliteQueue } from '../../data/queue/sqlite/sqliteQueue.ts';
import { parseExposition, type Sample, sumSamples } from './exposition.ts';
import { httpMetricsPlugin } from './httpMetrics.ts';
import { metricsRoutePlugin } from './metricsRoute.ts';
import { createMetrics, type GalleyMetrics } from './registry.ts';

async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function deleteRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}

/** Entry ids read in order: the first read of each id misses, every later one hits (6 hits, 4 misses). */
const READS = ['a', 'b', 'a', 'a', 'c', 'b', 'a', 'd', 'a', 'b'];

for (const backend of BACKENDS) {
  describe(`metrics after a scripted workload (${backend})`, () => {
    const prefix = uniqueName('m');
    const backlog = uniqueName('backlog');
    const work = uniqueName('work');
    let store: TestStore | undefined;
    let queue: Queue;
    let caches: CacheProvider;
    let metrics: GalleyMetrics;
    let app: FastifyInstance;

    before(async () => {
      if (backend === 'embedded') {
        store = await openTestStore('embedded');
        queue = createSqliteQueue(store.store);
        caches = createMemoryCacheProvider();
      } else {
        queue = createBullmqQueue({ url: TEST_REDIS_URL, prefix });
        caches = createRedisCacheProvider({ url: TEST_REDIS_URL, prefix });
      }
      metrics = createMetrics({
        collectDefault: true,
        sources: {
          caches,
          queues: { names: [backlog, work], stats: (name) => queue.stats(name) },
          pool: () => ({ inUse: 2, idle: 3, waiting: 1 }),
          budgets: () => [
            { tier: 'free', ratio: 0.5 },
            { tier: 'free', ratio: 0.85 },
            { tier: 'tenant-42', ratio: 0.2 },
          ],
        },
      });
      const entries = caches.create<{ id: string }>('entries', { max: 100, ttlMs: 60_000 });
      app = Fastify({ logger: false });
      await app.register(httpMetricsPlugin, { metrics });
      app.get('/api/v1/tenants/:tenant/entries/:id', async (request) => {
        const { tenant, id } = request.params as { tenant: string; id: string };
        return entries.getOrLoad(`${tenant}:${id}`, async () => ({ id }));
      });
      await app.register(metricsRoutePlugin, { metrics, token: 'scrape' });
    });

    after(async () => {
      await app.close();
      metrics.close();
      await queue.close(1000);
      await caches.close();
      if (store !== undefined) await store.cleanup();
      else await deleteRedisPrefix(prefix);
    });

    test('each family is present and matches the workload', async () => {
      for (const id of READS) {
        const response = await app.inject({ url: `/api/v1/tenants/acme/entries/${id}` });
        assert.equal(response.statusCode, 200);
      }
      for (let i = 0; i < 5; i += 1) await queue.enqueue(backlog, { i });
      const worker = queue.process<{ fail: boolean }, string>(
        work,
        metrics.instrumentJob(work, 2, async (job) => {
          if (job.payload.fail) throw new Error('scripted failure');
          return 'done';
        }),
        { concurrency: 2 },
      );
      const ids: string[] = [];
      for (const fail of [false, true, false, false]) {
        ids.push((await queue.enqueue(work, { fail }, { maxAttempts: 1 })).id);
      }
      await waitFor('jobs to finish', async () => {
        const states = await Promise.all(ids.map(async (id) => (await queue.status(id))?.state));
        return states.every((state) => state === 'completed' || state === 'failed');
      });
      await worker.close();

      metrics.recordAiCall({
        task: 'summarize',
        model: 'galley-local-1',
        tier: 'free',
        outcome: 'ok',
        seconds: 0.2,
        inputTokens: 120,
        outputTokens: 30,
        costUsd: 0,
      });
      metrics.recordAiCall({ task: 'summarize', model: 'gpt-x', tier: 'tenant-42', outcome: 'error', seconds: 1 });
      metrics.recordAiJob({ task: 'summarize', outcome: 'completed', seconds: 3 });
      metrics.recordRetrieval('summarize', true);
      metrics.recordRetrieval('summarize', false);
      metrics.recordRetrieval('summarize', true);
      metrics.recordBudgetWarning('free', 0.8);
      metrics.recordLogin({ provider: 'password', outcome: 'success', seconds: 0.12 });
      metrics.recordLogin({ provider: 'password', outcome: 'failure', reason: 'invalid_credentials', seconds: 0.1 });
      metrics.recordRefresh('rotated');
      metrics.recordWebhookDelivery('delivered', 0.3);

      assert.equal((await app.inject({ url: '/metrics' })).statusCode, 401);
      const scraped = await app.inject({ url: '/metrics', headers: { authorization: 'Bearer scrape' } });
      assert.equal(scraped.statusCode, 200);
      const samples = parseExposition(scraped.body);
      assertEveryFamilyPresent(metrics, scraped.body, samples);
      const sum = (name: string, labels: Record<string, string> = {}) => sumSamples(samples, name, labels);

      const route = '/api/v1/tenants/:tenant/entries/:id';
      assert.equal(sum('galley_http_requests_total', { route, status_class: '2xx' }), READS.length);
      assert.equal(sum('galley_http_request_duration_seconds_count', { route }), READS.length);
      assert.equal(sum('galley_http_requests_total', { route: '/metrics', status_class: '4xx' }), 1);

      const hits = sum('galley_cache_hits_total', { cache: 'entries' });
      const misses = sum('galley_cache_misses_total', { cache: 'entries' });
      assert.deepEqual({ hits, misses }, { hits: 6, misses: 4 });
      assert.equal(hits / (hits + misses), 0.6);
      assert.equal(sum('galley_cache_entries', { cache: 'entries' }), 4);

      assert.equal(sum('galley_queue_depth', { queue: backlog }), 5);
      assert.ok(sum('galley_queue_oldest_age_seconds', { queue: backlog }) >= 0);
      assert.equal(sum('galley_queue_depth', { queue: work }), 0);
      assert.equal(sum('galley_queue_active_jobs', { queue: work }), 0);
      assert.equal(sum('galley_queue_dead_letters', { queue: work }), 1);
      assert.equal(sum('galley_queue_jobs_total', { queue: work, outcome: 'completed' }), 3);
      assert.equal(sum('galley_queue_jobs_total', { queue: work, outcome: 'failed' }), 1);
      assert.equal(sum('galley_queue_job_duration_seconds_count', { queue: work }), 4);
      assert.equal(sum('galley_worker_concurrency', { queue: work }), 2);
      const busy = sum('galley_worker_busy_ratio', { queue: work });
      assert.ok(busy >= 0 && busy <= 1, `busy ratio ${busy}`);

      assert.equal(sum('galley_store_pool_connections', { state: 'waiting' }), 1);
      assert.equal(sum('galley_ai_budget_usage_ratio', { tier: 'free' }), 0.85);
      assert.equal(sum('galley_ai_budget_usage_ratio', { tier: 'unknown' }), 0.2);
      assert.equal(sum('galley_ai_tokens_total', { direction: 'input', tier: 'free' }), 120);
      assert.equal(sum('galley_ai_calls_total', { outcome: 'error', tier: 'unknown' }), 1);
      assert.equal(sum('galley_retrieval_hits_total') / (sum('galley_retrieval_hits_total') + 1), 2 / 3);
      assert.equal(sum('galley_auth_logins_total', { provider: 'password', reason: 'invalid_credentials' }), 1);
      assert.equal(sum('galley_auth_login_duration_seconds_count', { provider: 'password' }), 2);
      assert.equal(sum('galley_metrics_collect_errors_total'), 0);
      const utilization = sum('galley_event_loop_utilization');
      assert.ok(utilization >= 0 && utilization <= 1);
      assert.ok(sum('galley_process_cpu_seconds_total') > 0);
      assert.ok(sum('galley_nodejs_heap_size_used_bytes') > 0);
    });
  });
}

/** Every family has its TYPE line; every Galley-defined one (not prom-client's defaults) has samples. */
function assertEveryFamilyPresent(metrics: GalleyMetrics, text: string, samples: readonly Sample[]): void {
  const names = new Set(samples.map((sample) => sample.name));
  for (const family of metrics.registry.getMetricsAsArray()) {
    assert.ok(family.name.startsWith('galley_'), `${family.name} lacks the galley_ prefix`);
    assert.match(text, new RegExp(`^# TYPE ${family.name} `, 'm'));
    if (/^galley_(nodejs|process)_/.test(family.name)) continue; // prom-client defaults, some empty by nature
    if (family.name === 'galley_metrics_collect_errors_total') continue; // empty while nothing fails
    const present = [family.name, `${family.name}_count`].some((name) => names.has(name));
    assert.ok(present, `no samples of ${family.name}`);
  }
}
