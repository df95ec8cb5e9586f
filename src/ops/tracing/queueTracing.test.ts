/**
 * Queue spans on both backends through the real adapters: a job enqueued inside a trace is processed in a consumer
 * span of the same trace, child of the producer span, on every attempt; the worker's own store work nests under
 * it; an unsampled trace still carries its id to the worker; a job enqueued outside any trace gets a root span.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { BACKENDS, openTestStore, type TestStore, uniqueName } from '../../../test/support/backends.ts';
import { testPlane } from '../../../test/support/plane.ts';
import { deleteRedisKeys } from '../../../test/support/redisKeys.ts';
import { loadConfig } from '../../config/config.ts';
import type { DataPlane } from '../../data/dataPlane.ts';
import type { Job } from '../../data/queue/port.ts';
import { traceDataPlane } from './dataPlaneTracing.ts';
import { withSpan } from './spans.ts';
import type { DumpedSpan } from './traceDump.ts';
import { startTracing, type Tracing } from './tracing.ts';

let tracing: Tracing;
before(() => {
  tracing = startTracing(loadConfig({}, { traceRingSize: 2000, logSampleRate: 0.5 }), { serviceName: 'queue-test' });
});
after(async () => {
  await tracing.shutdown();
});

async function waitFor(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Spans of one trace in the ring. */
function spansOf(traceId: string): DumpedSpan[] {
  return tracing.ring?.traces({ traceId }).flatMap((t) => t.spans) ?? [];
}

/** Trace ids the ratio sampler at 0.5 keeps and drops (see logging/sampling.ts). */
const KEPT = '00000000000000000000000000000001';
const DROPPED = 'ffffffff000000000000000000000000';

for (const backend of BACKENDS) {
  describe(`queue trace propagation (${backend})`, () => {
    const prefix = uniqueName('qt');
    let store: TestStore;
    let untraced: DataPlane;
    let plane: DataPlane;

    before(async () => {
      store = await openTestStore(backend);
      untraced = testPlane(backend, store.store, prefix);
      plane = traceDataPlane(untraced);
    });

    after(async () => {
      await untraced.close(1000);
      await store.cleanup();
      if (backend === 'distributed') await deleteRedisKeys(`${prefix}:*`);
    });

    /** Processes `name` until `count` attempts ran; each attempt reports its active span and may fail. */
    async function run(name: string, count: number, fail: (job: Job) => boolean) {
      const seen: { job: Job; traceId: string | undefined; spanId: string | undefined }[] = [];
      const worker = plane.queue.process(
        name,
        async (job) => {
          const active = trace.getActiveSpan()?.spanContext();
          seen.push({ job, traceId: active?.traceId, spanId: active?.spanId });
          await plane.store.db.selectFrom('tenants').select('id').execute();
          if (fail(job)) throw new Error('scripted failure');
          return 'ok';
        },
        { concurrency: 1 },
      );
      try {
        await waitFor(`${count} attempts`, () => seen.length >= count);
      } finally {
        await worker.close(1000);
      }
      return seen;
    }

    test('enqueue → process shares one trace: consumer span child of the producer span, on every attempt', async () => {
      const name = uniqueName('traced');
      const parent = `00-${KEPT}-00f067aa0ba902b7-01`;
      const remote = propagation.extract(ROOT_CONTEXT, { traceparent: parent });
      const id = await context.with(remote, () =>
        withSpan(
          'POST /api/v1/things',
          {},
          async () => (await plane.queue.enqueue(name, { n: 1 }, { maxAttempts: 2, backoffMs: 0 })).id,
        ),
      );
      const seen = await run(name, 2, (job) => job.attempt === 1);
      await waitFor(
        'both consumer spans ended',
        () => spansOf(KEPT).filter((s) => s.name === `process ${name}`).length === 2,
      );

      const spans = spansOf(KEPT);
      const request = spans.find((s) => s.name === 'POST /api/v1/things');
      const send = spans.find((s) => s.name === `send ${name}`);
      assert.ok(request && send);
      assert.equal(send.parentSpanId, request.spanId);
      assert.equal(send.kind, 'producer');
      assert.equal(send.attributes['messaging.destination.name'], name);
      assert.equal(send.attributes['messaging.message.id'], id);
      const processed = spans.filter((s) => s.name === `process ${name}`);
      assert.deepEqual(
        processed.map((s) => s.attributes['galley.job.attempt']),
        [1, 2],
      );
      for (const span of processed) {
        assert.equal(span.kind, 'consumer');
        assert.equal(span.parentSpanId, send.spanId);
        assert.equal(span.attributes['messaging.message.id'], id);
      }
      assert.equal(processed[0]?.status, 'error', 'the failed attempt is marked');
      assert.equal(processed[1]?.status, 'unset');
      // The handler ran inside the consumer span, and its query nested under it.
      assert.deepEqual(
        seen.map((s) => s.traceId),
        [KEPT, KEPT],
      );
      assert.deepEqual(
        seen.map((s) => s.spanId),
        processed.map((s) => s.spanId),
      );
      const queries = spans.filter((s) => s.name === 'SELECT tenants');
      assert.deepEqual(queries.map((q) => q.parentSpanId).sort(), processed.map((s) => s.spanId).sort());
    });

    test('an unsampled trace carries its id to the worker without recording; no trace means a root consumer span', async () => {
      const name = uniqueName('unsampled');
      const remote = propagation.extract(ROOT_CONTEXT, { traceparent: `00-${DROPPED}-00f067aa0ba902b7-01` });
      await context.with(remote, () => withSpan('request', {}, () => plane.queue.enqueue(name, { n: 1 })));
      const [unsampled] = await run(name, 1, () => false);
      assert.equal(unsampled?.job.traceContext?.traceparent?.split('-')[1], DROPPED);
      assert.equal(unsampled?.traceId, DROPPED, 'the worker continues the same trace id');
      assert.deepEqual(spansOf(DROPPED), [], 'nothing recorded for the dropped trace');

      const loose = uniqueName('loose');
      await plane.queue.enqueue(loose, { n: 2 });
      const [root] = await run(loose, 1, () => false);
      assert.equal('traceContext' in (root?.job ?? {}), false, 'no context is invented at enqueue');
      assert.ok(root?.traceId, 'the worker still runs in a span of its own');
    });
  });
}
