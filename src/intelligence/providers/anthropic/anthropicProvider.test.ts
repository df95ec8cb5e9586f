import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { buildModelRequest, type ModelServer, startModelServer } from '../../../../test/support/modelServer.ts';
import { ProviderError } from '../errors.ts';
import type { ModelProvider } from '../port.ts';
import { createAnthropicProvider, extractJson } from './anthropicProvider.ts';

describe('anthropic provider (official SDK over HTTP)', () => {
  let server: ModelServer;
  let provider: ModelProvider;
  before(async () => {
    server = await startModelServer({ apiKey: 'ak-test' });
    // The server URL ends in /v1; the adapter accepts it (the SDK adds /v1/messages itself).
    provider = createAnthropicProvider({ baseURL: server.url, apiKey: 'ak-test' });
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  it('sends system separately with a JSON instruction and returns text, usage and finish reason', async () => {
    const request = buildModelRequest('titles', { model: 'claude-haiku-4-5', body: 'Galley is fast. Really.' });
    const response = await provider.complete(request);
    assert.deepEqual(JSON.parse(response.text), { titles: ['Galley is fast'] });
    assert.equal(response.model, 'claude-haiku-4-5');
    assert.equal(response.finishReason, 'stop');
    assert.ok(response.usage.inputTokens > 10);
    assert.ok(response.usage.outputTokens > 0);

    const [seen] = server.requests;
    assert.ok(seen);
    assert.equal(seen.api, 'anthropic');
    assert.equal(seen.path, '/v1/messages');
    assert.equal(seen.task, 'titles');
    // This SDK version sends the key as a bearer token (older ones used x-api-key); the server accepts both.
    assert.ok(seen.headers['x-api-key'] === 'ak-test' || seen.headers.authorization === 'Bearer ak-test');
    assert.ok(typeof seen.headers['anthropic-version'] === 'string');
    const body = seen.body as { system: string; max_tokens: number; messages: { role: string; content: string }[] };
    assert.equal(body.max_tokens, 200);
    assert.match(body.system, /^You are Galley's titles assistant/);
    assert.match(body.system, /JSON schema/);
    assert.match(body.system, /"titles"/);
    assert.deepEqual(
      body.messages.map((m) => m.role),
      ['user'],
    );
  });

  it('unwraps fenced or chatty JSON', async () => {
    server.reply(() => ({ text: 'Here you go:\n```json\n{"tags": ["a"]}\n```' }));
    const response = await provider.complete(buildModelRequest('tags', { model: 'claude-haiku-4-5' }));
    assert.equal(response.text, '{"tags": ["a"]}');
    assert.equal(extractJson('```json\n{"a":1}\n```'), '{"a":1}');
    assert.equal(extractJson('no json at all'), 'no json at all');
  });

  it("maps stop_reason max_tokens to 'length'", async () => {
    server.reply(() => ({ finish: 'length' }));
    const response = await provider.complete(buildModelRequest('summary', { model: 'claude-haiku-4-5' }));
    assert.equal(response.finishReason, 'length');
  });

  it('maps 429 with Retry-After and 529 overloaded to retryable errors, 400 to not retryable', async () => {
    server.failNext(1, 429, { retryAfter: 3 });
    const limited = await provider.complete(buildModelRequest('seo')).catch((e: unknown) => e);
    assert.ok(limited instanceof ProviderError);
    assert.equal(limited.provider, 'anthropic');
    assert.equal(limited.code, 'rate_limited');
    assert.equal(limited.retryAfterMs, 3000);

    server.failNext(1, 529);
    const overloaded = await provider.complete(buildModelRequest('seo')).catch((e: unknown) => e);
    assert.ok(overloaded instanceof ProviderError);
    assert.equal(overloaded.status, 529);
    assert.equal(overloaded.retryable, true);

    server.failNext(1, 400);
    const bad = await provider.complete(buildModelRequest('seo')).catch((e: unknown) => e);
    assert.ok(bad instanceof ProviderError);
    assert.equal(bad.code, 'bad_request');
    assert.equal(bad.retryable, false);
  });

  it('rejects promptly with the abort reason during a hung request', async () => {
    server.reply(() => ({ hang: true }));
    const signal = AbortSignal.timeout(100);
    const started = performance.now();
    const error = await provider.complete(buildModelRequest('summary', { signal })).catch((e: unknown) => e);
    assert.ok(error instanceof DOMException);
    assert.equal(error.name, 'TimeoutError');
    assert.ok(performance.now() - started < 1000);
  });
});
