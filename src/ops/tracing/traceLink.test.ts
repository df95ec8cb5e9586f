/**
 * One trace from an HTTP request through the queue into a worker's model call, exported over OTLP/HTTP to an
 * in-process collector (the tracing half of the observability acceptance test). The app, plane, queue and worker
 * role are the real ones (buildApp, traceDataPlane over the embedded adapters, startWorkers); the route and job
 * are this test's own, and the job's model call goes through `withModelCallSpan` as the AI gateway's does.
 * The gateway-level acceptance test (a real AI route and provider) builds on the same helpers: startOtlpReceiver
 * and ancestryOf in test/support/otlpReceiver.ts.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { openTestStore, type TestStore, uniqueName } from '../../../test/support/backends.ts';
import { ancestryOf, type OtlpReceiver, startOtlpReceiver } from '../../../test/support/otlpReceiver.ts';
import { testPlane } from '../../../test/support/plane.ts';
import { buildApp } from '../../app.ts';
import { loadConfig } from '../../config/config.ts';
import type { DataPlane } from '../../data/dataPlane.ts';
import type { Worker } from '../../data/queue/port.ts';
import { startWorkers } from '../../experience/workers.ts';
import { createMetrics, type GalleyMetrics } from '../metrics/registry.ts';
import { traceDataPlane } from './dataPlaneTracing.ts';
import { withModelCallSpan } from './genai.ts';
import { startTracing, type Tracing } from './tracing.ts';

const QUEUE = uniqueName('ai.summary');

let store: TestStore;
let receiver: OtlpReceiver;
let tracing: Tracing;
let untraced: DataPlane;
let app: FastifyInstance;
let metrics: GalleyMetrics;
let workers: Worker[];

before(async () => {
  store = await openTestStore('embedded');
  receiver = await startOtlpReceiver();
  const config = loadConfig(
    {},
    { logLevel: 'silent', maxEventLoopDelayMs: 0, otlpEndpoint: receiver.url, logSampleRate: 1 },
  );
  tracing = startTracing(config, { serviceName: 'galley', exportDelayMs: 60_000 });
  untraced = testPlane('embedded', store.store, uniqueName('link'));
  const plane = traceDataPlane(untraced);
  metrics = createMetrics({ collectDefault: false });
  app = await buildApp(config, plane, { logger: false, metrics });
  app.post('/test/entries/:id/summary', async (request, reply) => {
    const { id } = request.params as { id: string };
    const job = await plane.queue.enqueue(QUEUE, { entryId: id });
    return reply.code(202).send({ jobId: job.id });
  });
  await app.ready();
  workers = startWorkers(
    plane,
    config,
    metrics,
    [
      {
        queue: QUEUE,
        concurrency: 1,
        handler: () => async () =>
          withModelCallSpan(
            {
              operation: 'chat',
              provider: 'galley',
              requestModel: 'galley-local-1',
              task: 'summary',
              promptKey: 'summary',
              promptVersion: '2',
              promptHash: 'sha256:0d1e',
              flagVariant: 'control',
              tenantTier: 'free',
            },
            async (span) => {
              span.setResponse({
                responseModel: 'galley-local-1',
                inputTokens: 120,
                outputTokens: 30,
                finishReason: 'stop',
              });
              span.setCacheHit(false);
              return { summary: 'ok' };
            },
          ),
      },
    ],
    [],
  );
});

after(async () => {
  await Promise.all(workers.map((worker) => worker.close(1000)));
  await app.close();
  metrics.close();
  await untraced.close(1000);
  await tracing.shutdown();
  await receiver.close();
  await store.cleanup();
});

test('one exported trace links HTTP → queue → worker → model call, with the prompt and model attributes', async () => {
  const response = await app.inject({ method: 'POST', url: '/test/entries/e1/summary' });
  assert.equal(response.statusCode, 202, response.body);

  const isCall = (name: string) => name === 'chat galley-local-1';
  // The worker runs after the response: flush until the model call span has reached the collector.
  await receiver.waitFor((spans) => {
    if (!spans.some((s) => isCall(s.name))) void tracing.flush();
    return spans.some((s) => isCall(s.name));
  });
  await tracing.flush();
  const call = receiver.spans.find((s) => isCall(s.name));
  assert.ok(call);
  assert.deepEqual(ancestryOf(receiver.spans, call), [
    'POST /test/entries/:id/summary',
    `send ${QUEUE}`,
    `process ${QUEUE}`,
    'chat galley-local-1',
  ]);
  const trace = receiver.spans.filter((s) => s.traceId === call.traceId);
  assert.deepEqual(trace.map((s) => s.kind).sort(), [2, 3, 4, 5].sort(), 'server, client, producer and consumer spans');
  assert.ok(trace.every((s) => s.serviceName === 'galley'));
  assert.equal(call.attributes['gen_ai.operation.name'], 'chat');
  assert.equal(call.attributes['gen_ai.provider.name'], 'galley');
  assert.equal(call.attributes['gen_ai.request.model'], 'galley-local-1');
  assert.equal(call.attributes['gen_ai.response.model'], 'galley-local-1');
  assert.equal(call.attributes['gen_ai.usage.input_tokens'], 120);
  assert.equal(call.attributes['gen_ai.usage.output_tokens'], 30);
  assert.deepEqual(call.attributes['gen_ai.response.finish_reasons'], ['stop']);
  assert.equal(call.attributes['galley.prompt.key'], 'summary');
  assert.equal(call.attributes['galley.prompt.version'], '2');
  assert.equal(call.attributes['galley.prompt.hash'], 'sha256:0d1e');
  assert.equal(call.attributes['galley.flag.variant'], 'control');
  assert.equal(call.attributes['galley.cache.hit'], false);
  assert.equal(call.attributes['galley.tenant.tier'], 'free');
});
