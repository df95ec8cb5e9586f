/** Case verdicts, run figures, gates and case-level comparisons. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AssertionResult } from './caseAssertions.ts';
import { compareRuns } from './runComparison.ts';
import { caseVerdict, gate, runFigures } from './scoring.ts';
import { buildCaseResult, buildEvalRun } from './testing.ts';

const result = (pass: boolean, score: number, fields: Partial<AssertionResult> = {}): AssertionResult => ({
  type: 'x',
  weight: 1,
  pass,
  score,
  reason: '',
  ...fields,
});

test('a case passes when every evaluated assertion passes; skipped ones count neither way', () => {
  assert.deepEqual(caseVerdict([result(true, 1), result(false, 0, { skipped: true })]), { pass: true, score: 1 });
  assert.deepEqual(caseVerdict([result(true, 1), result(false, 0.5)]), { pass: false, score: 0.75 });
  assert.deepEqual(caseVerdict([result(false, 0, { skipped: true })]), { pass: false, score: 0 });
  assert.deepEqual(caseVerdict(undefined), { pass: false, score: 0 });
});

test('weights weigh the score, not the verdict', () => {
  assert.deepEqual(caseVerdict([result(true, 1, { weight: 3 }), result(true, 0.6)]), { pass: true, score: 0.9 });
  assert.equal(caseVerdict([result(true, 1), result(false, 0.9, { weight: 0 })]).pass, false);
});

test('figures: pass rate, mean score, nearest-rank p95, tokens and cost per case', () => {
  const cases = Array.from({ length: 20 }, (_, i) => ({
    pass: i < 15,
    score: i < 15 ? 1 : 0.5,
    latencyMs: i + 1,
    tokens: 100,
    costUsd: 0.001,
  }));
  const figures = runFigures(cases);
  assert.deepEqual(figures, {
    cases: 20,
    passed: 15,
    passRate: 0.75,
    meanScore: 0.875,
    p95LatencyMs: 19,
    tokensPerCase: 100,
    costPerCaseUsd: 0.001,
  });
  const verdict = gate(figures, { minPassRate: 0.8, maxP95LatencyMs: 19, maxCostPerCaseUsd: 0.0005 });
  assert.equal(verdict.pass, false);
  assert.deepEqual(
    verdict.checks.map((c) => [c.metric, c.pass]),
    [
      ['minPassRate', false],
      ['maxP95LatencyMs', true],
      ['maxCostPerCaseUsd', false],
    ],
  );
  assert.equal(gate(runFigures([]), {}).pass, true, 'no thresholds, nothing gated');
});

test('comparison lists regressions, fixes, score moves and added or removed cases', () => {
  const a = buildEvalRun('summary', [
    buildCaseResult({ id: 's-1' }),
    buildCaseResult({ id: 's-2', pass: false }),
    buildCaseResult({ id: 's-3', score: 0.9 }),
    buildCaseResult({ id: 's-4' }),
    buildCaseResult({ id: 's-5' }),
  ]);
  const b = buildEvalRun('summary', [
    buildCaseResult({ id: 's-1', pass: false, reason: 'too short' }),
    buildCaseResult({ id: 's-2' }),
    buildCaseResult({ id: 's-3', score: 0.7 }),
    buildCaseResult({ id: 's-4' }),
    buildCaseResult({ id: 's-6' }),
  ]);
  const c = compareRuns(a, b);
  assert.deepEqual(
    c.differences.map((d) => [d.id, d.change]),
    [
      ['s-1', 'regressed'],
      ['s-2', 'fixed'],
      ['s-3', 'score'],
      ['s-5', 'removed'],
      ['s-6', 'added'],
    ],
  );
  assert.deepEqual([c.regressed, c.fixed], [1, 1]);
  assert.deepEqual(c.differences[0]?.reasons, ['similar: too short']);
});
