/** The near-duplicate sketch: exact Jaccard on small inputs, a close estimate on large ones, order-sensitive. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TaskInput } from '../tasks.ts';
import { decodeSketch, encodeSketch, reuseKey, SKETCH_SIZE, similarity, sketchOf } from './nearDuplicates.ts';

const input = (body: string, tags: string[] = []): TaskInput => ({ title: 'Tram line', body, tags });
const words = (n: number, seed: number) => Array.from({ length: n }, (_, i) => `w${(i * 7919 + seed) % 100_003}`);

test('identical inputs are 1, disjoint inputs 0, and empty inputs equal each other', () => {
  const a = sketchOf(input('the council voted for a new tram line'));
  assert.equal(similarity(a, a), 1);
  assert.equal(similarity(a, sketchOf({ title: 'x', body: 'completely different words here', tags: [] })), 0);
  assert.equal(similarity(sketchOf({ title: '', body: '', tags: [] }), sketchOf({ title: '', body: '', tags: [] })), 1);
});

test('small inputs give the exact Jaccard index of their 3-shingles', () => {
  // title "Tram line" + 10 body words = 12 words, 10 shingles; appending 2 words adds 2 shingles: 10/12.
  const body = words(10, 1).join(' ');
  const longer = `${body} ${words(2, 99).join(' ')}`;
  assert.equal(similarity(sketchOf(input(body)), sketchOf(input(longer))), 10 / 12);
});

test('word order and tags count, case and punctuation do not', () => {
  const a = sketchOf(input('Alpha beta gamma delta.', ['x']));
  assert.equal(similarity(a, sketchOf(input('alpha  beta, gamma delta', ['x']))), 1);
  assert.ok(similarity(a, sketchOf(input('delta gamma beta alpha', ['x']))) < 0.5);
  assert.ok(similarity(a, sketchOf(input('Alpha beta gamma delta.', ['y']))) < 1);
});

test('large inputs are estimated from a bounded sketch within a few points', () => {
  const base = words(2_000, 3);
  const edited = [...base.slice(0, 1_900), ...words(100, 77)];
  const a = sketchOf(input(base.join(' ')));
  const b = sketchOf(input(edited.join(' ')));
  assert.equal(a.length, SKETCH_SIZE);
  const exact = 1900 / 2100; // title + 2,000 words = 2,000 shingles each; the first 1,900 are shared
  assert.ok(Math.abs(similarity(a, b) - exact) < 0.05, `estimate ${similarity(a, b)} vs ${exact}`);
});

test('sketches survive the cache round trip, and the reuse key separates scope, entry and prompt', () => {
  const a = sketchOf(input('one two three four five'));
  assert.deepEqual(decodeSketch(encodeSketch(a)), a);
  const parts = { promptHash: 'p', model: 'm', params: { maxOutputTokens: 100 }, scope: 'user:u', entryId: 'e' };
  const key = reuseKey(parts);
  assert.equal(reuseKey({ ...parts }), key);
  for (const change of [{ scope: 'user:v' }, { entryId: 'f' }, { promptHash: 'q' }, { model: 'n' }]) {
    assert.notEqual(reuseKey({ ...parts, ...change }), key);
  }
});
