import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isGalleyError } from '../../experience/errors/errors.ts';
import { matchesAnyEventPattern, matchesEventPattern, normaliseEventPatterns } from './eventPatterns.ts';

test('exact names, one-segment wildcards and a trailing wildcard', () => {
  const cases: [string, string, boolean][] = [
    ['entry.published', 'entry.published', true],
    ['entry.published', 'entry.created', false],
    ['entry.*', 'entry.published', true],
    ['entry.*', 'entry.purge', true],
    ['entry.*', 'entry.field.changed', true],
    ['entry.*', 'entry', false],
    ['entry.*', 'entries.created', false],
    ['*.created', 'entry.created', true],
    ['*.created', 'webhook.created', true],
    ['*.created', 'entry.published', false],
    ['*.created', 'entry.field.created', false],
    ['budget.*.warning', 'budget.tokens.warning', true],
    ['*', 'anything.at.all', true],
    ['entry', 'entry.created', false],
  ];
  for (const [pattern, name, expected] of cases) {
    assert.equal(matchesEventPattern(pattern, name), expected, `${pattern} ~ ${name}`);
  }
  assert.ok(matchesAnyEventPattern(['asset.*', 'entry.published'], 'entry.published'));
  assert.ok(!matchesAnyEventPattern(['asset.*'], 'entry.published'));
});

test('lists are trimmed, de-duplicated and validated', () => {
  assert.deepEqual(normaliseEventPatterns([' entry.* ', 'entry.*', 'budget.warning']), ['entry.*', 'budget.warning']);
  for (const bad of [[], ['Entry.Created'], ['entry..created'], ['entry.cre*'], ['']]) {
    assert.throws(
      () => normaliseEventPatterns(bad),
      (error: unknown) => isGalleyError(error, 'GALLEY_VALIDATION_FAILED'),
      JSON.stringify(bad),
    );
  }
  assert.throws(() => normaliseEventPatterns(Array.from({ length: 51 }, (_, i) => `e.n${i}`)));
});
