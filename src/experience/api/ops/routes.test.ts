/**
 * `GET /api/v1/ops/summary` on every backend: real queue and caches, the real metrics registry and HTTP metrics
 * plugin, bearer tokens verified against real signing keys. A scripted workload must show up in the summary
 * exactly (request counts and error ratios per route, queue depth, cache hit ratio), and only owners and admins
 * holding the API scope may read it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { BACKENDS, type Backend, TEST_REDIS_URL, uniqueName } from '../../../../test/support/backends.ts';
import { buildApp } from '../../../app.ts';
import { loadConfig } from '../../../config/config.ts';
import { createMemoryCacheProvider } from '../../../data/cache/memory/memoryCache.ts';
import type { CacheProvider } from '../../../data/cache/port.ts';
import { createRedisCacheProvider } from '../../../data/cache/redis/redisCache.ts';
import type { DataPlane } from '../../../data/dataPlane.ts';
import { createBullmqQueue } from '../../../data/queue/bullmq/bullmqQueue.ts';
import type { Queue } from '../../../data/queue/port.ts';
import { createSqliteQueue } from '../../../data/queue/sqlite/sqliteQueue.ts';
import { openSearchIndex } from '../../../data/search/openSearch.ts';
import type { Store } from '../../../data/store/port.ts';
import type { MemberRole } from '../../../data/store/schema.ts';
import { httpMetricsPlugin } from '../../../ops/metrics/httpMetrics.ts';
import { createMetrics, type GalleyMetrics } from '../../../ops/metrics/registry.ts';
import { authenticatePlugin } from '../../auth/verify/authenticate.ts';
import { eventually, openVerifyHarness, type VerifyHarness } from '../../auth/verify/testHarness.ts';
import { installProblemHandlers } from '../../http/errorHandling.ts';
import { OPENAPI_PATH } from '../../http/openapi.ts';
import { QUEUE_NAMES } from '../../workers.ts';
import { API_ROUTES } from '../index.ts';
import { opsRoutes } from './routes.ts';
import type { OpsSummary } from './schemas.ts';
import { quantileOf } from './snapshots.ts';

/** The queue and caches of a backend (the store comes from the verify harness). */
interface OpsBench {
  readonly queue: Queue;
  readonly caches: CacheProvider;
  cleanup(): Promise<void>;
}

async function openOpsBench(backend: Backend, store: Store): Promise<OpsBench> {
  if (backend === 'embedded') {
    const queue = createSqliteQueue(store);
    const caches = createMemoryCacheProvider();
    return { queue, caches, cleanup: async () => void (await Promise.all([queue.close(1000), caches.close()])) };
  }
  const prefix = uniqueName('ops');
  const queue = createBullmqQueue({ url: TEST_REDIS_URL, prefix });
  const caches = createRedisCacheProvider({ url: TEST_REDIS_URL, prefix });
  return {
    queue,
    caches,
    async cleanup() {
      await Promise.all([queue.close(1000), caches.close()]);
      const redis = new Redis(TEST_REDIS_URL);
      try {
        for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 500 })) {
          if (Array.isArray(keys) && keys.length > 0) await redis.del(...keys.map(String));
        }
      } finally {
        await redis.quit();
      }
    },
  };
}

/** Cache keys read in order: the first read of each misses, later ones hit (6 hits, 4 misses). */
const READS = ['a', 'b', 'a', 'a', 'c', 'b', 'a', 'd', 'a', 'b'];

test('quantiles interpolate inside the bucket that holds the rank, as histogram_quantile does', () => {
  const buckets = new Map([
    [0.1, 50],
    [0.2, 90],
    [0.5, 100],
    [Number.POSITIVE_INFINITY, 100],
  ]);
  assert.equal(quantileOf(buckets, 0.5), 0.1);
  assert.ok(Math.abs((quantileOf(buckets, 0.7) ?? 0) - 0.15) < 1e-9);
  assert.equal(quantileOf(new Map([[Number.POSITIVE_INFINITY, 0]]), 0.5), undefined);
  assert.equal(
    quantileOf(
      new Map([
        [0.1, 0],
        [Number.POSITIVE_INFINITY, 4],
      ]),
      0.5,
    ),
    0.1,
  );
});

for (const backend of BACKENDS) {
  describe(`ops summary (${backend})`, () => {
    let h: VerifyHarness;
    let bench: OpsBench;
    let metrics: GalleyMetrics;
    let app: FastifyInstance;
    const backlog = uniqueName('backlog');

    before(async () => {
      h = await openVerifyHarness(backend);
      bench = await openOpsBench(backend, h.store);
      metrics = createMetrics({
        collectDefault: false,
        sources: { caches: bench.caches, queues: { names: [backlog], stats: (name) => bench.queue.stats(name) } },
      });
      const entries = bench.caches.create<{ id: string }>('entries', { max: 100, ttlMs: 60_000 });
      app = Fastify({ logger: false });
      installProblemHandlers(app);
      await app.register(httpMetricsPlugin, { metrics });
      await app.register(authenticatePlugin, { verifier: h.newVerifier() });
      await app.register(opsRoutes, { prefix: '/api/v1', metrics, sampleEveryMs: 100 });
      app.get('/work/:id', async (request) => {
        const { id } = request.params as { id: string };
        return entries.getOrLoad(id, async () => ({ id }));
      });
      app.get('/fail', async () => {
        throw new Error('scripted failure');
      });
      await app.ready();
    });

    after(async () => {
      await app.close();
      metrics.close();
      await bench.cleanup();
      await h.cleanup();
    });

    const token = (role: MemberRole, scope?: string) =>
      h.mint({ claims: { sub: `user-${role}`, tid: 'tenant-1', role, ...(scope === undefined ? {} : { scope }) } });

    async function summary(role: MemberRole = 'admin'): Promise<OpsSummary> {
      const response = await app.inject({
        url: '/api/v1/ops/summary',
        headers: { authorization: `Bearer ${await token(role)}` },
      });
      assert.equal(response.statusCode, 200, response.body);
      return response.json<OpsSummary>();
    }

    test('no token: 401; editor, author, viewer or a token without the api scope: 403; owner and admin: 200', async () => {
      const anonymous = await app.inject({ url: '/api/v1/ops/summary' });
      assert.equal(anonymous.statusCode, 401);
      for (const role of ['editor', 'author', 'viewer'] as const) {
        const response = await app.inject({
          url: '/api/v1/ops/summary',
          headers: { authorization: `Bearer ${await token(role)}` },
        });
        assert.equal(response.statusCode, 403, role);
        assert.equal(response.json<{ code: string }>().code, 'GALLEY_FORBIDDEN');
      }
      const noScope = await app.inject({
        url: '/api/v1/ops/summary',
        headers: { authorization: `Bearer ${await token('owner', 'openid')}` },
      });
      assert.equal(noScope.statusCode, 403);
      await summary('owner');
      await summary('admin');
    });

    test('a scripted workload shows up exactly: rates and errors per route, queue depth, cache hit ratio', async () => {
      for (const id of READS) assert.equal((await app.inject({ url: `/work/${id}` })).statusCode, 200);
      for (let i = 0; i < 3; i += 1) assert.equal((await app.inject({ url: '/fail' })).statusCode, 500);
      assert.equal((await app.inject({ url: '/nowhere' })).statusCode, 404);
      for (let i = 0; i < 4; i += 1) await bench.queue.enqueue(backlog, { i });

      const s = await summary();
      const route = (method: string, template: string) =>
        s.http.routes.find((r) => r.method === method && r.route === template);
      const work = route('GET', '/work/:id');
      assert.ok(work, 'GET /work/:id is listed');
      assert.equal(work.requests, READS.length);
      assert.equal(work.errorRatio, 0);
      assert.ok(work.latencyMs.p50 !== null && work.latencyMs.p50 >= 0);
      assert.ok(work.requestsPerSecond > 0);
      const fail = route('GET', '/fail');
      assert.equal(fail?.requests, 3);
      assert.equal(fail?.errorRatio, 1);
      assert.equal(route('GET', 'unmatched')?.clientErrorRatio, 1);
      assert.ok(s.http.requests >= READS.length + 3 + 1);
      assert.ok(s.http.errorRatio !== null && s.http.errorRatio > 0);

      // Queue stats are read once per second at most (shared with /metrics scrapes): wait for a fresh reading.
      await eventually(async () => (await summary()).queues.find((q) => q.queue === backlog)?.depth === 4, 10_000);
      const queue = (await summary()).queues.find((q) => q.queue === backlog);
      assert.equal(queue?.active, 0);
      assert.equal(queue?.deadLettered, 0);
      const cache = s.caches.find((c) => c.cache === 'entries');
      assert.equal(cache?.hitRatio, 0.6);
      assert.equal(cache?.lifetimeHitRatio, 0.6);
      assert.equal(cache?.entries, 4);
      assert.ok(s.eventLoop.utilization >= 0 && s.eventLoop.utilization <= 1);
      assert.ok(s.eventLoop.delayMs.max >= 0);
      assert.ok(s.memory.rssBytes > 0 && s.memory.heapUsedBytes > 0);
      assert.ok(s.windowSeconds > 0 && s.uptimeSeconds > 0);
      assert.ok(!Number.isNaN(Date.parse(s.generatedAt)));
    });

    test('requests older than the window drop out of the rates', async () => {
      const short = await openShortWindowApp(metrics, h);
      try {
        await short.app.inject({ url: '/ping' });
        const auth = { authorization: `Bearer ${await token('admin')}` };
        const pings = async () => {
          const s = (await short.app.inject({ url: '/api/v1/ops/summary', headers: auth })).json<OpsSummary>();
          return s.http.routes.find((r) => r.route === '/ping')?.requests ?? 0;
        };
        assert.equal(await pings(), 1);
        await eventually(async () => (await pings()) === 0, 10_000);
      } finally {
        await short.app.close();
      }
    });
  });
}

/** A second app sharing the registry, whose summarizer measures over 300 ms. */
async function openShortWindowApp(metrics: GalleyMetrics, h: VerifyHarness): Promise<{ app: FastifyInstance }> {
  const app = Fastify({ logger: false });
  installProblemHandlers(app);
  await app.register(httpMetricsPlugin, { metrics });
  await app.register(authenticatePlugin, { verifier: h.newVerifier() });
  await app.register(opsRoutes, { prefix: '/api/v1', metrics, windowMs: 300, sampleEveryMs: 50 });
  app.get('/ping', async () => ({ pong: true }));
  await app.ready();
  return { app };
}

for (const backend of BACKENDS) {
  describe(`ops summary inside buildApp (${backend})`, () => {
    let h: VerifyHarness;
    let bench: OpsBench;
    let app: FastifyInstance;

    before(async () => {
      h = await openVerifyHarness(backend);
      bench = await openOpsBench(backend, h.store);
      const plane: DataPlane = {
        store: h.store,
        kv: h.kv,
        caches: bench.caches,
        queue: bench.queue,
        search: openSearchIndex(h.store),
        publishedSearch: openSearchIndex(h.store, 'published'),
        close: async () => {},
      };
      const config = loadConfig({}, { logLevel: 'silent', maxEventLoopDelayMs: 0, secret: h.secret });
      app = await buildApp(config, plane, {
        logger: false,
        verifier: h.newVerifier(),
        routes: API_ROUTES,
      });
      await app.ready();
    });

    after(async () => {
      await app.close();
      await bench.cleanup();
      await h.cleanup();
    });

    test('listed with the API routes, it answers admins with the queues the worker role processes', async () => {
      const bearer = await h.mint({ claims: { sub: 'user-admin', tid: 'tenant-1', role: 'admin' } });
      const response = await app.inject({ url: '/api/v1/ops/summary', headers: { authorization: `Bearer ${bearer}` } });
      assert.equal(response.statusCode, 200, response.body);
      const summary = response.json<OpsSummary>();
      assert.deepEqual(summary.queues.map((q) => q.queue).sort(), [...QUEUE_NAMES].sort());
      const openapi = (await app.inject({ url: OPENAPI_PATH })).json<{ paths: Record<string, unknown> }>();
      assert.ok('/api/v1/ops/summary' in openapi.paths);
    });
  });
}
