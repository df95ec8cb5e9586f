/** Flag definitions: valid ones come back frozen, invalid ones are refused naming each bad field. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isGalleyError } from '../../experience/errors/errors.ts';
import { validateFlagDefinition } from './definitionValidator.ts';

const VALID = {
  key: 'ai.summary',
  default: { mode: 'on', label: 'production', model: 'gpt-test', fallbackModel: 'galley-local-1' },
  rules: [
    { id: 'beta-tenants', tenants: ['tenant-a', 'tenant-b'], value: { mode: 'shadow', shadowSampleRate: 0.5 } },
    { id: 'editors', roles: ['editor', 'author'], percentage: 12.5, value: { model: 'claude-test' } },
    { id: 'everyone-else', value: { label: 'v2' } },
  ],
};

/** The distinct field pointers a rejection names. */
function rejectedFields(input: unknown): string[] {
  try {
    validateFlagDefinition(input);
  } catch (error) {
    assert.ok(isGalleyError(error, 'GALLEY_VALIDATION_FAILED'), String(error));
    return [...new Set((error.errors ?? []).map((e) => e.field))];
  }
  assert.fail('definition was accepted');
}

describe('validateFlagDefinition', () => {
  test('accepts a valid definition and returns a deep-frozen copy', () => {
    const input = structuredClone(VALID);
    const definition = validateFlagDefinition(input);
    assert.deepEqual(definition, VALID);
    assert.notEqual(definition, input);
    assert.ok(Object.isFrozen(definition) && Object.isFrozen(definition.default) && Object.isFrozen(definition.rules));
    assert.ok(Object.isFrozen(definition.rules[0]?.tenants) && Object.isFrozen(definition.rules[1]?.value));
    input.rules[0]?.tenants?.push('tenant-c');
    assert.deepEqual(definition.rules[0]?.tenants, ['tenant-a', 'tenant-b']);
  });

  test('refuses bad fields, naming each', () => {
    const cases: ReadonlyArray<[string, unknown, string[]]> = [
      ['not an object', 'ai.summary', ['']],
      ['unknown task', { ...VALID, key: 'ai.poetry' }, ['/key']],
      ['missing rules', { key: VALID.key, default: VALID.default }, ['']],
      ['bad mode', { ...VALID, default: { ...VALID.default, mode: 'maybe' } }, ['/default/mode']],
      ['bad label', { ...VALID, default: { ...VALID.default, label: 'Prod Uction' } }, ['/default/label']],
      ['empty model', { ...VALID, default: { ...VALID.default, model: '' } }, ['/default/model']],
      [
        'sample rate > 1',
        { ...VALID, default: { ...VALID.default, shadowSampleRate: 2 } },
        ['/default/shadowSampleRate'],
      ],
      ['unknown field', { ...VALID, default: { ...VALID.default, temperature: 1 } }, ['/default']],
      [
        'percentage > 100',
        { ...VALID, rules: [{ id: 'r', percentage: 101, value: { mode: 'off' } }] },
        ['/rules/0/percentage'],
      ],
      [
        'negative percentage',
        { ...VALID, rules: [{ id: 'r', percentage: -1, value: { mode: 'off' } }] },
        ['/rules/0/percentage'],
      ],
      [
        'unknown role',
        { ...VALID, rules: [{ id: 'r', roles: ['king'], value: { mode: 'off' } }] },
        ['/rules/0/roles/0'],
      ],
      [
        'empty tenant list',
        { ...VALID, rules: [{ id: 'r', tenants: [], value: { mode: 'off' } }] },
        ['/rules/0/tenants'],
      ],
      ['empty rule value', { ...VALID, rules: [{ id: 'r', value: {} }] }, ['/rules/0/value']],
      ['bad rule id', { ...VALID, rules: [{ id: 'Has Space', value: { mode: 'off' } }] }, ['/rules/0/id']],
      [
        'duplicate rule id',
        {
          ...VALID,
          rules: [
            { id: 'r', value: { mode: 'off' } },
            { id: 'r', value: { mode: 'on' } },
          ],
        },
        ['/rules/1/id'],
      ],
      [
        'shadow without a distinct candidate',
        { ...VALID, default: { ...VALID.default, mode: 'shadow', label: 'candidate' }, rules: [] },
        ['/default/candidateLabel'],
      ],
      [
        'rules inherit a shadow default',
        {
          ...VALID,
          default: { ...VALID.default, mode: 'shadow', label: 'candidate' },
          rules: [
            { id: 'r', value: { mode: 'on' } },
            { id: 's', value: { model: 'other' } },
          ],
        },
        ['/default/candidateLabel', '/rules/1/value'],
      ],
      [
        'rule turning shadow on with the served label as candidate',
        { ...VALID, rules: [{ id: 'r', value: { mode: 'shadow', candidateLabel: 'production' } }] },
        ['/rules/0/value'],
      ],
    ];
    for (const [name, input, fields] of cases) {
      assert.deepEqual(rejectedFields(input), fields, name);
    }
  });

  test('the message lists the allowed values and the unknown fields', () => {
    const input = { ...VALID, key: 'ai.poetry', default: { ...VALID.default, temperature: 1 } };
    assert.throws(
      () => validateFlagDefinition(input),
      (error: unknown) =>
        isGalleyError(error, 'GALLEY_VALIDATION_FAILED') &&
        /\/key: must be one of ai\.summary, ai\.titles/.test(error.message) &&
        /\/default: unknown field\(s\) temperature/.test(error.message),
    );
  });
});
