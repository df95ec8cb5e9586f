/**
 * Model-call spans: the GenAI semantic-convention attributes and Galley's prompt, flag, cache and tier attributes
 * are set; failures are recorded and rethrown; message content is recorded only when the tenant opted in; and
 * `currentTraceCarrier` hands the active context to whatever crosses a process boundary.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../config/config.ts';
import { type ModelCallAttributes, withModelCallSpan } from './genai.ts';
import { currentTraceCarrier, withSpan } from './spans.ts';
import type { DumpedSpan } from './traceDump.ts';
import { startTracing, type Tracing } from './tracing.ts';

let tracing: Tracing;
before(() => {
  tracing = startTracing(loadConfig({}, { traceRingSize: 100, logSampleRate: 1 }), { serviceName: 'genai-test' });
});
after(async () => {
  await tracing.shutdown();
});

const CALL: ModelCallAttributes = {
  operation: 'chat',
  provider: 'openai',
  requestModel: 'gpt-4o-mini',
  task: 'summary',
  promptKey: 'summary',
  promptVersion: '3',
  promptHash: 'sha256:abc123',
  flagVariant: 'treatment',
  tenantTier: 'pro',
};

function lastSpan(): DumpedSpan {
  const span = tracing.ring?.traces({ limit: 1 })[0]?.spans.at(-1);
  assert.ok(span, 'a recorded span');
  return span;
}

test('a model call span carries gen_ai.* and galley.* attributes, kind client, under the active span', async () => {
  const result = await withSpan('process ai.tasks', {}, () =>
    withModelCallSpan(CALL, async (span) => {
      span.setResponse({
        responseModel: 'gpt-4o-mini-2024-07-18',
        inputTokens: 812,
        outputTokens: 64,
        finishReason: 'stop',
      });
      span.setCacheHit(false);
      return 'answer';
    }),
  );
  assert.equal(result, 'answer');
  const [found] = tracing.ring?.traces({ limit: 1 }) ?? [];
  const call = found?.spans.find((s) => s.name === 'chat gpt-4o-mini');
  const parent = found?.spans.find((s) => s.name === 'process ai.tasks');
  assert.ok(call && parent);
  assert.equal(call.parentSpanId, parent.spanId);
  assert.equal(call.kind, 'client');
  assert.deepEqual(call.attributes, {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o-mini',
    'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
    'gen_ai.usage.input_tokens': 812,
    'gen_ai.usage.output_tokens': 64,
    'gen_ai.response.finish_reasons': ['stop'],
    'galley.ai.task': 'summary',
    'galley.prompt.key': 'summary',
    'galley.prompt.version': '3',
    'galley.prompt.hash': 'sha256:abc123',
    'galley.flag.variant': 'treatment',
    'galley.tenant.tier': 'pro',
    'galley.cache.hit': false,
  });
});

test('a failed call records the exception and error type, marks the span and rethrows', async () => {
  class ProviderTimeout extends Error {
    readonly code = 'GALLEY_AI_TIMEOUT';
  }
  await assert.rejects(
    withModelCallSpan({ ...CALL, cacheHit: false }, async () => {
      throw new ProviderTimeout('no answer in 8000 ms');
    }),
    ProviderTimeout,
  );
  const span = lastSpan();
  assert.equal(span.status, 'error');
  assert.equal(span.statusMessage, 'no answer in 8000 ms');
  assert.equal(span.attributes['error.type'], 'GALLEY_AI_TIMEOUT');
  assert.ok(span.events.some((e) => e.name === 'exception'));
});

test('message content is recorded only when the tenant opted in', async () => {
  const messages = [{ role: 'user', content: 'Summarise: secret launch plan' }];
  await withModelCallSpan(CALL, async (span) => span.setContent(messages, '{"summary":"launch"}'));
  const withheld = lastSpan();
  assert.equal(JSON.stringify(withheld).includes('secret launch plan'), false);
  assert.equal('gen_ai.input.messages' in withheld.attributes, false);

  await withModelCallSpan({ ...CALL, recordContent: true }, async (span) =>
    span.setContent(messages, { summary: 'x' }),
  );
  const recorded = lastSpan();
  assert.equal(recorded.attributes['gen_ai.input.messages'], JSON.stringify(messages));
  assert.equal(recorded.attributes['gen_ai.output.messages'], JSON.stringify({ summary: 'x' }));
});

test('currentTraceCarrier is the active W3C context inside a span and empty outside one', async () => {
  assert.deepEqual(currentTraceCarrier(), {});
  const carrier = await withSpan('outer', {}, async (span) => {
    const { traceId, spanId } = span.spanContext();
    return { carrier: currentTraceCarrier(), expected: `00-${traceId}-${spanId}-01` };
  });
  assert.equal(carrier.carrier.traceparent, carrier.expected);
});

test('with tracing shut down, a model call runs and records nothing', async () => {
  await tracing.shutdown();
  const held = tracing.ring?.held;
  const value = await withModelCallSpan(CALL, async (span) => {
    span.setResponse({ responseModel: 'm', inputTokens: 1, outputTokens: 1 });
    return 42;
  });
  assert.equal(value, 42);
  assert.equal(tracing.ring?.held, held);
  assert.deepEqual(currentTraceCarrier(), {});
});
