import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildModelRequest, type ModelServer, startModelServer } from '../../../test/support/modelServer.ts';
import { ProviderError, UnknownModelError } from './errors.ts';
import { openProviders, type ProviderSettings } from './openProviders.ts';
import type { ModelProvider } from './port.ts';
import { createBreakerSet } from './resilience.ts';

/** A minimal local provider (the real one lives in providers/local and is not this module's concern). */
const local: ModelProvider = {
  name: 'local',
  async complete(request) {
    return {
      model: request.model,
      text: '{"summary":"local"}',
      usage: { inputTokens: 1, outputTokens: 1 },
      finishReason: 'stop',
    };
  },
};

const NONE: ProviderSettings = {
  openaiBaseUrl: undefined,
  openaiApiKey: undefined,
  anthropicBaseUrl: undefined,
  anthropicApiKey: undefined,
  aiModels: undefined,
  aiDefaultModel: 'galley-local-1',
};

describe('openProviders', () => {
  let server: ModelServer;
  before(async () => {
    server = await startModelServer();
  });
  after(() => server.close());

  it('with nothing configured serves only the local model', async () => {
    const set = openProviders(NONE, { local, resilience: { breakers: createBreakerSet() } });
    assert.deepEqual([...set.providers.keys()], ['local']);
    const { provider, info } = set.forModel('galley-local-1');
    assert.equal(info.provider, 'local');
    const response = await provider.complete(buildModelRequest('summary', { model: 'galley-local-1' }));
    assert.equal(response.text, '{"summary":"local"}');
    assert.throws(
      () => set.forModel('gpt-4o-mini'),
      (e: unknown) =>
        e instanceof ProviderError &&
        e.code === 'unavailable' &&
        !e.retryable &&
        /GALLEY_OPENAI_BASE_URL/.test(e.message),
    );
    assert.throws(
      () => set.forModel('claude-haiku-4-5'),
      (e: unknown) => e instanceof ProviderError && e.provider === 'anthropic',
    );
    assert.throws(() => set.forModel('no-such-model'), UnknownModelError);
  });

  it('opens openai and anthropic against their endpoints and routes models to them', async () => {
    const set = openProviders(
      {
        ...NONE,
        openaiBaseUrl: server.url,
        anthropicBaseUrl: server.url,
        aiModels: '[{"id":"qwen2.5:7b","provider":"openai","inputPer1k":0,"outputPer1k":0}]',
      },
      { local, resilience: { breakers: createBreakerSet() } },
    );
    assert.deepEqual([...set.providers.keys()].sort(), ['anthropic', 'local', 'openai']);
    server.reset();
    for (const model of ['gpt-4o-mini', 'qwen2.5:7b', 'claude-haiku-4-5']) {
      const { provider } = set.forModel(model);
      const response = await provider.complete(buildModelRequest('seo', { model }));
      assert.equal(response.model, model);
    }
    assert.deepEqual(
      server.requests.map((r) => [r.api, r.model]),
      [
        ['openai', 'gpt-4o-mini'],
        ['openai', 'qwen2.5:7b'],
        ['anthropic', 'claude-haiku-4-5'],
      ],
    );
  });

  it('wraps remote providers with retries but the local one without', async () => {
    let localCalls = 0;
    const flaky: ModelProvider = {
      name: 'local',
      async complete() {
        localCalls += 1;
        throw new ProviderError({ provider: 'local', code: 'server_error', message: 'boom' });
      },
    };
    const set = openProviders(
      { ...NONE, openaiBaseUrl: server.url },
      { local: flaky, resilience: { breakers: createBreakerSet(), baseDelayMs: 5 } },
    );
    await assert.rejects(set.forModel('galley-local-1').provider.complete(buildModelRequest('summary')), ProviderError);
    assert.equal(localCalls, 1);
    server.reset();
    server.failNext(1, 502);
    const response = await set.forModel('gpt-4o-mini').provider.complete(buildModelRequest('summary'));
    assert.equal(response.finishReason, 'stop');
    assert.equal(server.requests.length, 2);
  });

  it('turns on anthropic with only an API key (default base URL)', () => {
    const set = openProviders(
      { ...NONE, anthropicApiKey: 'sk-ant' },
      { local, resilience: { breakers: createBreakerSet() } },
    );
    assert.equal(set.forModel('claude-sonnet-4-5').provider.name, 'anthropic');
  });
});
