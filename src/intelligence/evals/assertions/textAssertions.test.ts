/** equals, contains*, regex, is-json, length, javascript, `not-`, `path` and `each`: pass, fail and edge cases. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertionProblems } from '../caseAssertions.ts';
import { check } from './testing.ts';

const summary = (text: string) => ({ summary: text });

describe('equals', () => {
  test('strings compare exactly; objects structurally', async () => {
    assert.equal((await check({ type: 'equals', value: 'abc' }, summary('abc'))).pass, true);
    assert.equal((await check({ type: 'equals', value: 'abc' }, summary('abC'))).pass, false);
    const titles = { titles: ['a', 'b'] };
    assert.equal((await check({ type: 'equals', value: ['a', 'b'] }, titles, { task: 'titles' })).pass, true);
    assert.equal((await check({ type: 'equals', value: ['b', 'a'] }, titles, { task: 'titles' })).pass, false);
  });
});

describe('contains family', () => {
  test('contains is case-sensitive, icontains is not', async () => {
    assert.equal((await check({ type: 'contains', value: 'Okafor' }, summary('Amira Okafor said'))).pass, true);
    assert.equal((await check({ type: 'contains', value: 'okafor' }, summary('Amira Okafor said'))).pass, false);
    assert.equal((await check({ type: 'icontains', value: 'okafor' }, summary('Amira Okafor said'))).pass, true);
  });

  test('contains-any needs one; contains-all needs all and scores the share found', async () => {
    const any = await check({ type: 'contains-any', value: ['x', 'budget'] }, summary('the budget'));
    assert.equal(any.pass, true);
    const none = await check({ type: 'contains-any', value: ['x', 'y'] }, summary('the budget'));
    assert.equal(none.pass, false);
    const all = await check({ type: 'contains-all', value: ['the', 'budget', 'tax', 'vote'] }, summary('the budget'));
    assert.equal(all.pass, false);
    assert.equal(all.score, 0.5);
    assert.match(all.reason, /missing \["tax","vote"\]/);
  });

  test('not- inverts pass and score', async () => {
    const result = await check({ type: 'not-icontains-any', value: ['lorem'] }, summary('the budget'));
    assert.equal(result.pass, true);
    assert.equal(result.score, 1);
    assert.equal((await check({ type: 'not-contains', value: 'budget' }, summary('the budget'))).pass, false);
  });

  test('an empty needle list is refused at load time', () => {
    assert.notDeepEqual(assertionProblems({ type: 'contains-all', value: [] }), []);
    assert.notDeepEqual(assertionProblems({ type: 'contains', value: 'x', extra: 1 }), []);
  });
});

describe('regex', () => {
  test('Unicode patterns with flags; invalid flags are refused', async () => {
    assert.equal((await check({ type: 'regex', value: '^\\p{Lu}' }, summary('Élan'))).pass, true);
    assert.equal((await check({ type: 'regex', value: '^#', flags: 'm' }, summary('a\n# heading'))).pass, true);
    assert.equal((await check({ type: 'regex', value: '^#' }, summary('a\n# heading'))).pass, false);
    assert.notDeepEqual(assertionProblems({ type: 'regex', value: 'a', flags: 'g' }), []);
  });
});

describe('is-json', () => {
  const schema = { type: 'object', required: ['summary'], properties: { summary: { type: 'string', minLength: 5 } } };

  test('validates the whole output against a JSON Schema', async () => {
    assert.equal((await check({ type: 'is-json', value: schema }, summary('long enough'))).pass, true);
    const short = await check({ type: 'is-json', value: schema }, summary('abc'));
    assert.equal(short.pass, false);
    assert.match(short.reason, /\/summary/);
  });

  test('a string output is parsed first; no output or bad JSON fails', async () => {
    assert.equal((await check({ type: 'is-json' }, '{"a":1}')).pass, true);
    assert.equal((await check({ type: 'is-json' }, '{"a":')).pass, false);
    assert.equal((await check({ type: 'is-json' }, undefined)).pass, false);
  });
});

describe('length', () => {
  test('words, chars and items within bounds', async () => {
    assert.equal((await check({ type: 'length', unit: 'words', min: 2, max: 3 }, summary('one two three'))).pass, true);
    assert.equal((await check({ type: 'length', unit: 'chars', max: 5 }, summary('ünïcø'))).pass, true);
    const titles = { titles: ['a', 'b', 'c'] };
    assert.equal((await check({ type: 'length', unit: 'items', max: 2 }, titles, { task: 'titles' })).pass, false);
  });

  test('outside the bounds the score falls off with the distance', async () => {
    const near = await check({ type: 'length', unit: 'words', min: 10, max: 20 }, summary('a b c d e f g h i'));
    const far = await check({ type: 'length', unit: 'words', min: 10, max: 20 }, summary('a b'));
    assert.equal(near.pass, false);
    assert.ok(near.score > far.score, `${near.score} > ${far.score}`);
    assert.match(near.reason, /9 words outside 10–20 words/);
  });

  test('each applies to every element; one failure fails the assertion', async () => {
    const output = { titles: ['A fine headline', 'x'] };
    const result = await check({ type: 'length', unit: 'chars', min: 3, each: true }, output, { task: 'titles' });
    assert.equal(result.pass, false);
    assert.equal(result.score, 0.5);
    const empty = await check(
      { type: 'length', unit: 'chars', min: 3, each: true },
      { titles: [] },
      { task: 'titles' },
    );
    assert.equal(empty.pass, false, 'no elements cannot pass an each-assertion');
  });
});

describe('javascript', () => {
  test('an expression over value, output and input', async () => {
    const spec = { type: 'javascript', value: 'value.includes(input.tags[0]) && output.summary.length > 3' };
    assert.equal((await check(spec, summary('about riverton'))).pass, true);
    assert.equal((await check(spec, summary('about elsewhere'))).pass, false);
  });

  test('a body with return may give a score or a verdict object', async () => {
    const scored = await check(
      { type: 'javascript', value: 'return text.length / 10;', threshold: 0.5 },
      summary('abcdef'),
    );
    assert.equal(scored.pass, true);
    assert.equal(scored.score, 0.6);
    const verdict = await check(
      { type: 'javascript', value: 'return { pass: false, score: 0.2, reason: "too vague" };' },
      summary('x'),
    );
    assert.deepEqual([verdict.pass, verdict.score, verdict.reason], [false, 0.2, 'too vague']);
  });

  test('errors, endless loops and host access fail the case instead of the suite', async () => {
    assert.match((await check({ type: 'javascript', value: 'nothing.here' }, summary('x'))).reason, /threw/);
    const loop = await check({ type: 'javascript', value: 'while (true) {} return true;' }, summary('x'));
    assert.equal(loop.pass, false);
    assert.match(loop.reason, /timed out/);
    const host = await check(
      { type: 'javascript', value: 'typeof process === "undefined" && typeof require === "undefined"' },
      summary('x'),
    );
    assert.equal(host.pass, true);
    assert.match((await check({ type: 'javascript', value: '"yes"' }, summary('x'))).reason, /expected a boolean/);
  });
});

describe('paths and unknown types', () => {
  test('path selects a field or element; a missing one reads as empty', async () => {
    const output = { titles: ['First title', 'Second'] };
    assert.equal(
      (await check({ type: 'equals', value: 'Second', path: 'titles.1' }, output, { task: 'titles' })).pass,
      true,
    );
    const missing = await check({ type: 'length', unit: 'chars', min: 1, path: 'titles.7' }, output, {
      task: 'titles',
    });
    assert.equal(missing.pass, false);
  });

  test('unknown types and a negated llm-rubric are refused at load time', () => {
    assert.deepEqual(assertionProblems({ type: 'contains-some', value: 'x' }), [
      'unknown assertion type "contains-some"',
    ]);
    assert.notDeepEqual(assertionProblems({ type: 'not-llm-rubric', value: 'x' }), []);
  });
});
