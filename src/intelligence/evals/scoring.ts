/**
 * From assertion results to verdicts. A case passes when its call succeeded and every evaluated assertion
 * passed; skipped ones (llm-rubric without a judge) count neither way. Its score is the weighted mean of the
 * evaluated assertions' scores (0 for a failed call). A run's figures are the pass rate, the mean case score,
 * the p95 latency, and the mean tokens and cost per case; the gate compares them with the task's thresholds.
 */

import { percentile } from './assertions/text.ts';
import type { AssertionResult } from './caseAssertions.ts';
import type { TaskThresholds } from './thresholds.ts';

/** A case's verdict from its assertion results (undefined results = the call failed). */
export function caseVerdict(results: readonly AssertionResult[] | undefined): { pass: boolean; score: number } {
  if (results === undefined) return { pass: false, score: 0 };
  const evaluated = results.filter((r) => r.skipped !== true);
  const weight = evaluated.reduce((sum, r) => sum + r.weight, 0);
  const score = weight === 0 ? 0 : evaluated.reduce((sum, r) => sum + r.score * r.weight, 0) / weight;
  return { pass: evaluated.length > 0 && evaluated.every((r) => r.pass), score: Math.round(score * 10_000) / 10_000 };
}

/** What a run's figures are computed from, per case. */
export interface CaseFigures {
  readonly pass: boolean;
  readonly score: number;
  readonly latencyMs: number;
  readonly tokens: number;
  readonly costUsd: number;
}

/** A run's figures. */
export interface RunFigures {
  readonly cases: number;
  readonly passed: number;
  readonly passRate: number;
  readonly meanScore: number;
  readonly p95LatencyMs: number;
  readonly tokensPerCase: number;
  readonly costPerCaseUsd: number;
}

const round = (n: number, places: number) => Math.round(n * 10 ** places) / 10 ** places;

/** Aggregates case figures. */
export function runFigures(cases: readonly CaseFigures[]): RunFigures {
  const n = cases.length;
  const mean = (pick: (c: CaseFigures) => number) => (n === 0 ? 0 : cases.reduce((s, c) => s + pick(c), 0) / n);
  const passed = cases.filter((c) => c.pass).length;
  return Object.freeze({
    cases: n,
    passed,
    passRate: round(n === 0 ? 0 : passed / n, 4),
    meanScore: round(
      mean((c) => c.score),
      4,
    ),
    p95LatencyMs: round(
      percentile(
        cases.map((c) => c.latencyMs),
        95,
      ) ?? 0,
      1,
    ),
    tokensPerCase: round(
      mean((c) => c.tokens),
      1,
    ),
    costPerCaseUsd: round(
      mean((c) => c.costUsd),
      8,
    ),
  });
}

/** One threshold's comparison. */
export interface GateCheck {
  readonly metric: keyof TaskThresholds;
  readonly actual: number;
  readonly limit: number;
  readonly pass: boolean;
}

/** The gate: each configured threshold against the figures; passes when all do. */
export function gate(figures: RunFigures, thresholds: TaskThresholds): { pass: boolean; checks: GateCheck[] } {
  const checks: GateCheck[] = [];
  const min = (metric: keyof TaskThresholds, actual: number) => {
    const limit = thresholds[metric];
    if (limit !== undefined) checks.push({ metric, actual, limit, pass: actual >= limit });
  };
  const max = (metric: keyof TaskThresholds, actual: number) => {
    const limit = thresholds[metric];
    if (limit !== undefined) checks.push({ metric, actual, limit, pass: actual <= limit });
  };
  min('minPassRate', figures.passRate);
  min('minMeanScore', figures.meanScore);
  max('maxP95LatencyMs', figures.p95LatencyMs);
  max('maxTokensPerCase', figures.tokensPerCase);
  max('maxCostPerCaseUsd', figures.costPerCaseUsd);
  return { pass: checks.every((c) => c.pass), checks };
}
