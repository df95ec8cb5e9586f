import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RetrievedDoc } from '../../tasks.ts';
import { BAHN_STREIK, HEAT_PUMPS, MARS_ROVER } from './articles.fixture.ts';
import { relatedOptions, relatedTask, similarity } from './relater.ts';

const doc = (entryId: string, title: string, snippet: string, score = 1): RetrievedDoc => ({
  entryId,
  title,
  snippet,
  score,
});

const CONTEXT: readonly RetrievedDoc[] = [
  doc('e3', 'Football: Bayern win the cup', 'Bayern Munich beat Leipzig 3-1 in the final on Saturday.', 9),
  doc(
    'e1',
    'Heat pump sales slump as buyers wait for subsidy rules',
    'Sales of heat pumps fell 40% as households waited for the subsidy.',
  ),
  doc(
    'e5',
    'Mars sample return mission faces cuts',
    'NASA is reviewing cheaper designs for bringing rock samples from Mars.',
  ),
  doc(
    'e2',
    'Gas boilers banned in new buildings',
    'New homes must use renewable heating such as heat pumps, the ministry said.',
  ),
  doc('e4', 'Electricity prices fall again', 'Cheaper power makes electric heating more attractive, analysts say.'),
];

describe('relater', () => {
  test('ranks retrieved entries by similarity, dropping unrelated ones', () => {
    const { related } = relatedTask({ ...HEAT_PUMPS, context: CONTEXT });
    assert.deepEqual(
      related
        .map((r) => r.entryId)
        .slice(0, 2)
        .sort(),
      ['e1', 'e2'],
    );
    assert.ok(!related.some((r) => r.entryId === 'e3' || r.entryId === 'e5'), 'football and Mars are not related');
    const scores = related.map((r) => r.score);
    assert.deepEqual(
      [...scores].sort((a, b) => b - a),
      scores,
    );
    for (const s of scores) assert.equal(Math.round(s * 1000) / 1000, s, 'three decimals');
    assert.equal(related.find((r) => r.entryId === 'e1')?.title, CONTEXT[1]?.title);
  });

  test('a different entry finds its own neighbours', () => {
    assert.deepEqual(
      relatedTask({ ...MARS_ROVER, context: CONTEXT }).related.map((r) => r.entryId),
      ['e5'],
    );
    assert.deepEqual(relatedTask({ ...BAHN_STREIK, context: CONTEXT }).related, []);
  });

  test('similarity: 1 for the same text, 0 for disjoint texts, containment lifts a short snippet', () => {
    const v = (entries: [string, number][]) => new Map(entries);
    const same = v([
      ['heat', 2],
      ['pump', 1],
    ]);
    assert.ok(Math.abs(similarity(same, new Map(same)) - 1) < 1e-9);
    assert.equal(similarity(v([['heat', 2]]), v([['football', 1]])), 0);
    assert.equal(similarity(v([]), v([])), 0);
    const long = v([
      ['heat', 3],
      ['pump', 3],
      ['subsidy', 2],
      ['parliament', 1],
      ['vote', 1],
      ['grant', 1],
    ]);
    const snippet = v([
      ['heat', 1],
      ['pump', 1],
      ['sales', 1],
    ]);
    assert.ok(similarity(long, snippet) > 0.5, 'two thirds of the snippet is about the entry');
  });

  test('empty or missing context gives an empty list', () => {
    assert.deepEqual(relatedTask({ ...HEAT_PUMPS, context: [] }).related, []);
    assert.deepEqual(relatedTask(HEAT_PUMPS).related, []);
  });

  test('knobs: maxRelated caps the list, minScore filters it', () => {
    assert.equal(relatedTask({ ...HEAT_PUMPS, context: CONTEXT }, { maxRelated: 1 }).related.length, 1);
    assert.deepEqual(relatedTask({ ...HEAT_PUMPS, context: CONTEXT }, { maxRelated: 0 }).related, []);
    assert.deepEqual(relatedTask({ ...HEAT_PUMPS, context: CONTEXT }, { minScore: 0.99 }).related, []);
    const all = relatedTask({ ...HEAT_PUMPS, context: CONTEXT }, { minScore: 0 }).related;
    assert.ok(all.length >= 3);
    assert.deepEqual(relatedOptions({ maxRelated: 50, minScore: '0.2' }), { maxRelated: 10, minScore: 0.2 });
  });

  test('duplicate entry ids count once; equal scores are ordered by entry id', () => {
    const twins = [
      doc('b', 'Heat pump subsidy', 'Heat pumps get a subsidy.'),
      doc('a', 'Heat pump subsidy', 'Heat pumps get a subsidy.'),
    ];
    const { related } = relatedTask({ ...HEAT_PUMPS, context: [...twins, ...twins] });
    assert.deepEqual(
      related.map((r) => r.entryId),
      ['a', 'b'],
    );
    assert.equal(related[0]?.score, related[1]?.score);
  });
});
