import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { buildModelRequest, type ModelServer, startModelServer } from '../../../../test/support/modelServer.ts';
import { ProviderError } from '../errors.ts';
import type { ModelProvider } from '../port.ts';
import { createOpenAiProvider } from './openaiProvider.ts';

describe('openai provider (official SDK over HTTP)', () => {
  let server: ModelServer;
  let provider: ModelProvider;
  before(async () => {
    server = await startModelServer({ apiKey: 'sk-test' });
    provider = createOpenAiProvider({ baseURL: server.url, apiKey: 'sk-test' });
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  it('sends the prompt, schema and limits and returns text, usage and finish reason', async () => {
    const response = await provider.complete(
      buildModelRequest('summary', { body: 'First sentence here. Second one.' }),
    );
    assert.deepEqual(JSON.parse(response.text), { summary: 'First sentence here.' });
    assert.equal(response.model, 'gpt-4o-mini');
    assert.equal(response.finishReason, 'stop');
    assert.ok(response.usage.inputTokens > 10);
    assert.equal(response.usage.outputTokens, Math.ceil(response.text.length / 4));

    const [request] = server.requests;
    assert.ok(request);
    assert.equal(request.api, 'openai');
    assert.equal(request.task, 'summary');
    assert.equal(request.headers.authorization, 'Bearer sk-test');
    const body = request.body as Record<string, unknown>;
    assert.equal(body.max_tokens, 400);
    assert.equal(body.temperature, 0);
    assert.deepEqual(body.response_format, {
      type: 'json_schema',
      json_schema: {
        name: 'galley_summary',
        strict: false,
        schema: JSON.parse(JSON.stringify(buildModelRequest('summary').outputSchema)),
      },
    });
    assert.deepEqual(
      (body.messages as { role: string }[]).map((m) => m.role),
      ['system', 'user'],
    );
  });

  it('reports usage the server sends and a truncated answer as length', async () => {
    server.reply(() => ({ text: '{"summary": "cut', finish: 'length', usage: { inputTokens: 77, outputTokens: 5 } }));
    const response = await provider.complete(buildModelRequest('summary'));
    assert.equal(response.finishReason, 'length');
    assert.deepEqual(response.usage, { inputTokens: 77, outputTokens: 5 });
    assert.equal(response.text, '{"summary": "cut');
  });

  it('maps 429 to a retryable rate_limited error carrying Retry-After', async () => {
    server.failNext(1, 429, { retryAfter: 2 });
    const error = await provider.complete(buildModelRequest('tags')).catch((e: unknown) => e);
    assert.ok(error instanceof ProviderError);
    assert.equal(error.code, 'rate_limited');
    assert.equal(error.status, 429);
    assert.equal(error.retryable, true);
    assert.equal(error.retryAfterMs, 2000);
    assert.equal(error.provider, 'openai');
  });

  it('prefers retry-after-ms', async () => {
    server.failNext(1, 429, { retryAfter: 2, retryAfterMs: 150 });
    const error = await provider.complete(buildModelRequest('tags')).catch((e: unknown) => e);
    assert.ok(error instanceof ProviderError);
    assert.equal(error.retryAfterMs, 150);
  });

  it('maps 5xx to retryable and 4xx to not retryable', async () => {
    server.failNext(1, 503);
    const unavailable = await provider.complete(buildModelRequest('tags')).catch((e: unknown) => e);
    assert.ok(unavailable instanceof ProviderError);
    assert.equal(unavailable.code, 'server_error');
    assert.equal(unavailable.retryable, true);

    server.failNext(1, 400);
    const bad = await provider.complete(buildModelRequest('tags')).catch((e: unknown) => e);
    assert.ok(bad instanceof ProviderError);
    assert.equal(bad.code, 'bad_request');
    assert.equal(bad.retryable, false);
  });

  it('maps a wrong key to auth (not retryable)', async () => {
    const wrong = createOpenAiProvider({ baseURL: server.url, apiKey: 'sk-wrong' });
    const error = await wrong.complete(buildModelRequest('seo')).catch((e: unknown) => e);
    assert.ok(error instanceof ProviderError);
    assert.equal(error.code, 'auth');
    assert.equal(error.retryable, false);
  });

  it('maps a dropped connection and a refused one to retryable network errors', async () => {
    server.reply(() => ({ reset: true }));
    const reset = await provider.complete(buildModelRequest('seo')).catch((e: unknown) => e);
    assert.ok(reset instanceof ProviderError);
    assert.equal(reset.code, 'network');
    assert.equal(reset.retryable, true);

    const closed = await startModelServer();
    const url = closed.url;
    await closed.close();
    const refused = await createOpenAiProvider({ baseURL: url })
      .complete(buildModelRequest('seo'))
      .catch((e: unknown) => e);
    assert.ok(refused instanceof ProviderError);
    assert.equal(refused.code, 'network');
  });

  it('rejects promptly with the abort reason when the signal fires during a hung request', async () => {
    server.reply(() => ({ hang: true }));
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(new Error('caller gave up')), 100);
    const error = await provider
      .complete(buildModelRequest('summary', { signal: controller.signal }))
      .catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    assert.ok(error instanceof Error);
    assert.equal(error.message, 'caller gave up');
    assert.ok(elapsed < 1000, `took ${elapsed} ms`);
    // The server saw the client go away.
    for (let i = 0; i < 50 && server.inFlight > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(server.inFlight, 0);
  });

  it('reports a completion without text as invalid_output', async () => {
    server.reply(() => ({
      status: 200,
      body: {
        id: 'x',
        object: 'chat.completion',
        created: 1,
        model: 'gpt-4o-mini',
        choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: 'no' }, finish_reason: 'stop' }],
      },
    }));
    const error = await provider.complete(buildModelRequest('summary')).catch((e: unknown) => e);
    assert.ok(error instanceof ProviderError);
    assert.equal(error.code, 'invalid_output');
    assert.equal(error.retryable, false);
  });
});
