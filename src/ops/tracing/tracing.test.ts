/**
 * Tracing end to end through buildApp on the real embedded plane: a request records a server span named by its
 * route template with its store, kv and cache spans nested under it, continuing the caller's trace; log lines carry
 * the same trace id and the request id; logs and traces keep the same requests when sampled; an OTLP collector
 * receives the spans when an endpoint is configured; and with tracing off nothing is recorded at all.
 *
 * One tracer provider per process: each describe starts tracing in `before` and shuts it down in `after`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { trace } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import { openTestStore, type TestStore, uniqueName } from '../../../test/support/backends.ts';
import { type OtlpReceiver, startOtlpReceiver } from '../../../test/support/otlpReceiver.ts';
import { testPlane } from '../../../test/support/plane.ts';
import { buildApp } from '../../app.ts';
import { type Config, loadConfig } from '../../config/config.ts';
import type { DataPlane } from '../../data/dataPlane.ts';
import { GalleyError } from '../../experience/errors/errors.ts';
import { createLogging } from '../logging/logger.ts';
import { traceDataPlane } from './dataPlaneTracing.ts';
import { requestSpanContext } from './httpTracing.ts';
import { withSpan } from './spans.ts';
import type { DumpedSpan } from './traceDump.ts';
import { dumpTraces, startTracing, type Tracing } from './tracing.ts';

/** A trace id OpenTelemetry's ratio sampler keeps at any rate above 0, and one it drops below 1. */
const ALWAYS_IN = '00000000000000000000000000000001';
const ALWAYS_OUT = 'ffffffff000000000000000000000000';
const traceparent = (traceId: string) => `00-${traceId}-00f067aa0ba902b7-01`;

interface Line {
  readonly msg?: string;
  readonly requestId?: string;
  readonly trace_id?: string;
  readonly span_id?: string;
}

interface Bench {
  readonly app: FastifyInstance;
  readonly plane: DataPlane;
  readonly lines: Line[];
  close(): Promise<void>;
}

function configWith(overrides: Partial<Config>): Config {
  return loadConfig({}, { logLevel: 'info', maxEventLoopDelayMs: 0, logSampleRate: 1, ...overrides });
}

/** buildApp over a traced real embedded plane, with a test route that uses the store, kv and a cache. */
async function openBench(config: Config, store: TestStore): Promise<Bench> {
  const untraced = testPlane('embedded', store.store, uniqueName('tr'));
  const plane = traceDataPlane(untraced);
  const lines: Line[] = [];
  const logging = createLogging({
    level: 'info',
    sampleRate: config.logSampleRate,
    destination: { write: (line: string) => lines.push(JSON.parse(line) as Line) },
    spanContextOf: requestSpanContext,
  });
  const app = await buildApp(config, plane, { logging });
  const tenants = plane.caches.create<number>('tenant-count', { max: 10, ttlMs: 60_000 });
  app.get('/test/tenants/:slug', async (request) => {
    const { slug } = request.params as { slug: string };
    request.log.info('looking up');
    const rows = await plane.store.db.selectFrom('tenants').select('id').where('slug', '=', slug).execute();
    await plane.kv.get(`probe:${slug}`);
    const count = await tenants.getOrLoad(
      'all',
      async () => (await plane.store.db.selectFrom('tenants').select('id').execute()).length,
    );
    return { found: rows.length, count };
  });
  app.get('/test/conflict', async () => {
    throw new GalleyError('GALLEY_CONFLICT', 'changed since version 3');
  });
  app.get('/test/boom', async () => {
    throw new Error('scripted failure');
  });
  await app.ready();
  return {
    app,
    plane,
    lines,
    async close() {
      await app.close();
      await untraced.close();
    },
  };
}

const named = (spans: readonly DumpedSpan[], name: string): DumpedSpan => {
  const span = spans.find((s) => s.name === name);
  assert.ok(span, `a span named "${name}" among ${spans.map((s) => s.name).join(', ')}`);
  return span;
};

describe('tracing into the ring', () => {
  let store: TestStore;
  let tracing: Tracing;
  let bench: Bench;

  before(async () => {
    store = await openTestStore('embedded');
    const config = configWith({ traceRingSize: 500 });
    tracing = startTracing(config, { serviceName: 'galley-test' });
    bench = await openBench(config, store);
  });

  after(async () => {
    await bench.close();
    await tracing.shutdown();
    await store.cleanup();
  });

  test('a request records its server span, and its store, kv and cache spans as children, in the caller trace', async () => {
    assert.equal(tracing.exporter, 'ring');
    const traceId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const response = await bench.app.inject({
      url: '/test/tenants/acme',
      headers: { traceparent: traceparent(traceId), 'x-request-id': 'req-traced' },
    });
    assert.equal(response.statusCode, 200, response.body);

    const dump = dumpTraces({ traceId });
    assert.equal(dump.exporter, 'ring');
    assert.equal(dump.traces.length, 1);
    const [found] = dump.traces;
    assert.ok(found);
    const server = named(found.spans, 'GET /test/tenants/:slug');
    assert.equal(server.kind, 'server');
    assert.equal(server.parentSpanId, '00f067aa0ba902b7', 'continues the caller span');
    assert.equal(server.attributes['http.route'], '/test/tenants/:slug');
    assert.equal(server.attributes['http.request.method'], 'GET');
    assert.equal(server.attributes['http.response.status_code'], 200);
    assert.equal(server.attributes['galley.request.id'], 'req-traced');
    assert.equal(JSON.stringify(server.attributes).includes('acme'), false, 'the URL is not recorded');

    const select = found.spans.filter((s) => s.name === 'SELECT tenants');
    assert.equal(select.length, 2, 'the lookup and the cache loader query');
    const lookup = select.find((s) => s.parentSpanId === server.spanId);
    assert.equal(lookup?.kind, 'client');
    assert.equal(lookup?.attributes['db.system.name'], 'sqlite');
    assert.equal(lookup?.attributes['db.collection.name'], 'tenants');
    const kv = named(found.spans, 'kv get');
    assert.equal(kv.parentSpanId, server.spanId);
    assert.equal(kv.attributes['galley.kv.namespace'], 'probe');
    const cache = named(found.spans, 'cache getOrLoad tenant-count');
    assert.equal(cache.attributes['galley.cache.hit'], false);
    assert.ok(
      select.some((s) => s.parentSpanId === cache.spanId),
      'the loader query nests under the cache span',
    );

    // A second request hits the cache: no loader query.
    await bench.app.inject({ url: '/test/tenants/acme', headers: { traceparent: traceparent(ALWAYS_IN) } });
    const second = dumpTraces({ traceId: ALWAYS_IN }).traces[0];
    assert.equal(second?.spans.filter((s) => s.name === 'SELECT tenants').length, 1);
    assert.equal(named(second?.spans ?? [], 'cache getOrLoad tenant-count').attributes['galley.cache.hit'], true);
  });

  test('log lines of a request carry its request id and the trace and span ids of its server span', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    await bench.app.inject({
      url: '/test/tenants/logs',
      headers: { traceparent: traceparent(traceId), 'x-request-id': 'req-logs' },
    });
    const server = named(dumpTraces({ traceId }).traces[0]?.spans ?? [], 'GET /test/tenants/:slug');
    const mine = bench.lines.filter((l) => l.requestId === 'req-logs');
    assert.deepEqual(
      mine.map((l) => l.msg),
      ['looking up', 'request completed'],
    );
    for (const line of mine) {
      assert.equal(line.trace_id, traceId);
      assert.equal(line.span_id, server.spanId);
    }
  });

  test('an unmatched route is a span named by its method; a 4xx leaves the span unset, a 5xx marks it failed', async () => {
    const traceId = 'b1b2c3d4e5f60718293a4b5c6d7e8f90';
    await bench.app.inject({ url: '/nowhere/at/all', headers: { traceparent: traceparent(traceId) } });
    const span = dumpTraces({ traceId }).traces[0]?.spans[0];
    assert.equal(span?.name, 'GET');
    assert.equal(span?.attributes['http.response.status_code'], 404);
    assert.equal(span?.status, 'unset');

    const conflictId = 'e1b2c3d4e5f60718293a4b5c6d7e8f90';
    const conflict = await bench.app.inject({
      url: '/test/conflict',
      headers: { traceparent: traceparent(conflictId) },
    });
    assert.equal(conflict.statusCode, 409);
    const refused = dumpTraces({ traceId: conflictId }).traces[0]?.spans[0];
    assert.equal(refused?.attributes['http.response.status_code'], 409);
    assert.equal(refused?.status, 'unset', 'a 4xx is not a server failure');

    const failedId = 'd1b2c3d4e5f60718293a4b5c6d7e8f90';
    const response = await bench.app.inject({ url: '/test/boom', headers: { traceparent: traceparent(failedId) } });
    assert.equal(response.statusCode, 500);
    const failed = dumpTraces({ traceId: failedId }).traces[0]?.spans[0];
    assert.equal(failed?.name, 'GET /test/boom');
    assert.equal(failed?.status, 'error');
    assert.equal(failed?.attributes['http.response.status_code'], 500);
    assert.ok(
      failed?.events.some((e) => e.name === 'exception' && e.attributes['exception.message'] === 'scripted failure'),
    );
  });

  test('spans outside any request or job record nothing: a store query or kv call with no parent', async () => {
    const before = tracing.ring?.held ?? 0;
    await bench.plane.store.db.selectFrom('tenants').select('id').execute();
    await bench.plane.kv.get('probe:none');
    assert.equal(tracing.ring?.held, before);
  });
});

describe('logs and traces sample the same requests', () => {
  let store: TestStore;
  let tracing: Tracing;
  let bench: Bench;

  before(async () => {
    store = await openTestStore('embedded');
    const config = configWith({ traceRingSize: 500, logSampleRate: 0.5 });
    tracing = startTracing(config, { serviceName: 'galley-test' });
    bench = await openBench(config, store);
  });

  after(async () => {
    await bench.close();
    await tracing.shutdown();
    await store.cleanup();
  });

  test('at rate 0.5 a kept trace id has its trace and its logs, a dropped one neither', async () => {
    for (let i = 0; i < 3; i += 1) {
      await bench.app.inject({
        url: '/test/tenants/x',
        headers: { traceparent: traceparent(ALWAYS_IN), 'x-request-id': `in-${i}` },
      });
      await bench.app.inject({
        url: '/test/tenants/x',
        headers: { traceparent: traceparent(ALWAYS_OUT), 'x-request-id': `out-${i}` },
      });
    }
    const traced = dumpTraces({ limit: 100 }).traces.map((t) => t.traceId);
    assert.deepEqual(traced, [ALWAYS_IN]);
    const logged = new Set(bench.lines.map((l) => l.requestId));
    assert.deepEqual([...logged].sort(), ['in-0', 'in-1', 'in-2']);
  });

  test('requests without a traceparent: the requests with a trace are exactly the requests with log lines', async () => {
    tracing.ring?.clear();
    bench.lines.length = 0;
    for (let i = 0; i < 40; i += 1) {
      await bench.app.inject({ url: '/test/tenants/y', headers: { 'x-request-id': `fresh-${i}` } });
    }
    const traced = (tracing.ring?.spans() ?? [])
      .map((span) => span.attributes['galley.request.id'])
      .filter((id) => typeof id === 'string')
      .sort();
    const logged = [...new Set(bench.lines.map((l) => l.requestId))].sort();
    assert.ok(traced.length > 5 && traced.length < 35, `about half sampled, got ${traced.length} of 40`);
    assert.deepEqual(traced, logged);
  });
});

describe('tracing to an OTLP collector', () => {
  let store: TestStore;
  let tracing: Tracing;
  let bench: Bench;
  let receiver: OtlpReceiver;

  before(async () => {
    store = await openTestStore('embedded');
    receiver = await startOtlpReceiver();
    const config = configWith({ otlpEndpoint: receiver.url, traceRingSize: 0 });
    tracing = startTracing(config, { serviceName: 'galley-otlp-test', exportDelayMs: 60_000 });
    bench = await openBench(config, store);
  });

  after(async () => {
    await bench.close();
    await tracing.shutdown();
    await receiver.close();
    await store.cleanup();
  });

  test('the collector receives the request spans over OTLP/HTTP, with the service name', async () => {
    assert.equal(tracing.exporter, 'otlp');
    assert.equal(tracing.ring, undefined);
    const traceId = 'c1b2c3d4e5f60718293a4b5c6d7e8f90';
    await bench.app.inject({ url: '/test/tenants/otlp', headers: { traceparent: traceparent(traceId) } });
    await tracing.flush();
    const spans = await receiver.waitFor((all) => all.some((s) => s.traceId === traceId && s.kind === 2));
    const mine = spans.filter((s) => s.traceId === traceId);
    const server = mine.find((s) => s.name === 'GET /test/tenants/:slug');
    assert.ok(server);
    assert.equal(server.serviceName, 'galley-otlp-test');
    assert.equal(server.attributes['http.route'], '/test/tenants/:slug');
    assert.ok(mine.some((s) => s.name === 'SELECT tenants' && s.parentSpanId === server.spanId && s.kind === 3));
    assert.equal(dumpTraces().exporter, 'otlp');
    assert.deepEqual(dumpTraces().traces, []);
  });
});

describe('tracing off (ring size 0, no endpoint)', () => {
  let store: TestStore;
  let bench: Bench;
  let tracing: Tracing;

  before(async () => {
    store = await openTestStore('embedded');
    const config = configWith({ traceRingSize: 0 });
    tracing = startTracing(config, { serviceName: 'galley-off' });
    bench = await openBench(config, store);
  });

  after(async () => {
    await bench.close();
    await store.cleanup();
  });

  test('nothing is instrumented or recorded, and helpers run their function with a non-recording span', async () => {
    assert.equal(tracing.exporter, 'off');
    const plane = testPlane('embedded', store.store, uniqueName('off'));
    assert.equal(traceDataPlane(plane), plane, 'the plane is returned as it is');
    await plane.close();
    const response = await bench.app.inject({
      url: '/test/tenants/off',
      headers: { traceparent: traceparent(ALWAYS_IN) },
    });
    assert.equal(response.statusCode, 200);
    const ran = await withSpan('work', {}, async (span) => span.isRecording());
    assert.equal(ran, false);
    assert.equal(trace.getActiveSpan(), undefined);
    assert.deepEqual(dumpTraces(), { exporter: 'off', capacity: 0, held: 0, traces: [] });
    // The log controller falls back to the incoming header for the trace id.
    const line = bench.lines.find((l) => l.msg === 'looking up');
    assert.equal(line?.trace_id, undefined);
  });
});
