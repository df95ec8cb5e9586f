/**
 * The span ring on a real tracer provider: it keeps the last `capacity` finished spans, groups them by trace with
 * the most recently active trace first, filters by trace id and limits the count.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { context, trace } from '@opentelemetry/api';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { SpanRing } from './spanRing.ts';

function ringWithTracer(capacity: number) {
  const ring = new SpanRing(capacity);
  const provider = new TracerProvider({ spanProcessors: [ring] });
  return { ring, tracer: provider.getTracer('ring-test') };
}

test('the ring keeps the last capacity spans, oldest first, and counts what it holds', () => {
  const { ring, tracer } = ringWithTracer(3);
  assert.equal(ring.held, 0);
  for (const name of ['a', 'b', 'c', 'd', 'e']) tracer.startSpan(name).end();
  assert.equal(ring.held, 3);
  assert.deepEqual(
    ring.spans().map((s) => s.name),
    ['c', 'd', 'e'],
  );
  ring.clear();
  assert.deepEqual(ring.spans(), []);
  assert.throws(() => new SpanRing(0), RangeError);
});

test('traces group spans, parent before child, the most recently active trace first; limit and id filter', () => {
  const { ring, tracer } = ringWithTracer(100);
  const first = tracer.startSpan('first');
  first.end();
  const root = tracer.startSpan('root');
  const child = tracer.startSpan('child', {}, trace.setSpan(context.active(), root));
  child.setAttribute('n', 1);
  child.end();
  root.end();
  const traces = ring.traces();
  assert.deepEqual(
    traces.map((t) => t.rootName),
    ['root', 'first'],
  );
  const [latest] = traces;
  assert.deepEqual(
    latest?.spans.map((s) => s.name),
    ['root', 'child'],
  );
  assert.equal(latest?.spans[1]?.parentSpanId, latest?.spans[0]?.spanId);
  assert.deepEqual(latest?.spans[1]?.attributes, { n: 1 });
  assert.ok((latest?.durationMs ?? -1) >= 0);
  assert.equal(ring.traces({ limit: 1 }).length, 1);
  assert.deepEqual(
    ring.traces({ traceId: first.spanContext().traceId }).map((t) => t.rootName),
    ['first'],
  );
});
