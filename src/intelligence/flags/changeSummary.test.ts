/** The history lines of one change. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summarizeChange } from './changeSummary.ts';
import { validateFlagDefinition } from './definitionValidator.ts';

const BASE = { mode: 'on', label: 'production', model: 'm1', fallbackModel: 'galley-local-1' };
const define = (fields: object, rules: object[]) =>
  validateFlagDefinition({ key: 'ai.seo', default: { ...BASE, ...fields }, rules });

test('default fields, added, changed, removed and reordered rules', () => {
  const a = { id: 'a', roles: ['editor'], value: { mode: 'off' } };
  const b = { id: 'b', percentage: 5, value: { model: 'm2' } };
  const c = { id: 'c', value: { label: 'v2' } };
  const from = define({}, [a, b, c]);
  const to = define({ mode: 'shadow', candidateLabel: 'v3' }, [
    { ...c },
    { ...b, percentage: 10 },
    { id: 'd', value: { mode: 'on' } },
  ]);
  assert.deepEqual(summarizeChange(from, to), [
    'default.mode: on → shadow',
    'default.candidateLabel: (unset) → v3',
    '~ rule b',
    '+ rule d',
    '- rule a',
    'rules reordered: c, b, d',
  ]);
  assert.deepEqual(summarizeChange(from, from), ['no visible change']);
  assert.deepEqual(summarizeChange(null, define({}, [a])), [
    'first set (was built-in): default mode=on label=production model=m1 fallbackModel=galley-local-1',
    '+ rule a',
  ]);
});
