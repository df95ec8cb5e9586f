import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../config/settings.ts';
import { UnknownModelError } from './errors.ts';
import { BUILTIN_MODELS, costUsd, createModelRegistry } from './models.ts';

describe('model registry', () => {
  it('knows the built-ins with their prices', () => {
    const registry = createModelRegistry({ aiModels: undefined });
    assert.deepEqual(registry.get('galley-local-1'), {
      id: 'galley-local-1',
      provider: 'local',
      inputPer1k: 0,
      outputPer1k: 0,
    });
    assert.equal(registry.get('gpt-4o-mini').provider, 'openai');
    assert.equal(registry.get('claude-sonnet-4-5').outputPer1k, 0.015);
    assert.equal(registry.list().length, BUILTIN_MODELS.length);
    assert.ok(registry.has('claude-haiku-4-5'));
  });

  it('throws UnknownModelError for an unknown id', () => {
    const registry = createModelRegistry({ aiModels: undefined });
    assert.throws(
      () => registry.get('gpt-99'),
      (e: unknown) => e instanceof UnknownModelError && e.modelId === 'gpt-99',
    );
  });

  it('merges GALLEY_AI_MODELS: adds new models and overrides built-ins by id', () => {
    const registry = createModelRegistry({
      aiModels: JSON.stringify([
        { id: 'llama3.1:8b', provider: 'openai', inputPer1k: 0, outputPer1k: 0 },
        { id: 'gpt-4o-mini', provider: 'openai', inputPer1k: 0.0001, outputPer1k: 0.0004 },
      ]),
      aiDefaultModel: 'llama3.1:8b',
    });
    assert.equal(registry.get('llama3.1:8b').provider, 'openai');
    assert.equal(registry.get('gpt-4o-mini').inputPer1k, 0.0001);
    assert.equal(registry.list().length, BUILTIN_MODELS.length + 1);
    assert.equal(registry.list().at(-1)?.id, 'llama3.1:8b');
  });

  it('rejects invalid GALLEY_AI_MODELS with a ConfigError naming the setting', () => {
    const cases: [string, RegExp][] = [
      ['{not json', /not valid JSON/],
      ['{"id":"x"}', /JSON array/],
      [
        '[{"id":"x","provider":"cohere","inputPer1k":0,"outputPer1k":0}]',
        /"provider" must be one of openai, anthropic, local, got "cohere"/,
      ],
      ['[{"id":"","provider":"openai","inputPer1k":0,"outputPer1k":0}]', /"id" must be a non-empty string/],
      [
        '[{"id":"x","provider":"openai","inputPer1k":-1,"outputPer1k":0}]',
        /"inputPer1k" must be a non-negative number/,
      ],
      ['[{"id":"x","provider":"openai","inputPer1k":0}]', /"outputPer1k"/],
      ['[{"id":"x","provider":"openai","inputPer1k":0,"outputPer1k":0,"price":1}]', /unknown field\(s\) price/],
      [
        '[{"id":"x","provider":"openai","inputPer1k":0,"outputPer1k":0},{"id":"x","provider":"openai","inputPer1k":0,"outputPer1k":0}]',
        /listed twice/,
      ],
    ];
    for (const [aiModels, message] of cases) {
      assert.throws(
        () => createModelRegistry({ aiModels }),
        (e: unknown) => e instanceof ConfigError && e.setting === 'GALLEY_AI_MODELS' && message.test(e.message),
        aiModels,
      );
    }
  });

  it('rejects a default or judge model the registry does not have', () => {
    assert.throws(
      () => createModelRegistry({ aiModels: undefined, aiDefaultModel: 'nope' }),
      (e: unknown) => e instanceof ConfigError && e.setting === 'GALLEY_AI_DEFAULT_MODEL',
    );
    assert.throws(
      () => createModelRegistry({ aiModels: undefined, aiJudgeModel: 'nope' }),
      (e: unknown) => e instanceof ConfigError && e.setting === 'GALLEY_AI_JUDGE_MODEL',
    );
  });

  it('computes cost in USD rounded to a millionth', () => {
    const registry = createModelRegistry({ aiModels: undefined });
    // 1,000 in × $0.00015 + 500 out × $0.0006 per 1k = 0.00015 + 0.0003
    assert.equal(costUsd(registry.get('gpt-4o-mini'), { inputTokens: 1000, outputTokens: 500 }), 0.00045);
    // 123 × 0.003/1000 + 45 × 0.015/1000 = 0.000369 + 0.000675 = 0.001044
    assert.equal(costUsd(registry.get('claude-sonnet-4-5'), { inputTokens: 123, outputTokens: 45 }), 0.001044);
    // 1 token of gpt-4o-mini input = 1.5e-7 → rounds to 0
    assert.equal(costUsd(registry.get('gpt-4o-mini'), { inputTokens: 1, outputTokens: 0 }), 0);
    assert.equal(costUsd(registry.get('galley-local-1'), { inputTokens: 5000, outputTokens: 5000 }), 0);
  });
});
