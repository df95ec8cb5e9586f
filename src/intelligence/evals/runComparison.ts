/**
 * Case-level differences between two runs of the same task (two prompt versions, or two models): which cases
 * regressed (passed in A, fail in B), which were fixed, and which moved in score by at least `minDelta`.
 */
import type { EvalRun } from './suiteRunner.ts';

/** One case that differs. */
export interface CaseDifference {
  readonly id: string;
  readonly change: 'regressed' | 'fixed' | 'score' | 'added' | 'removed';
  readonly a?: { readonly pass: boolean; readonly score: number };
  readonly b?: { readonly pass: boolean; readonly score: number };
  /** B's failing assertion reasons (regressions), to show why. */
  readonly reasons: readonly string[];
}

/** The comparison of two runs. */
export interface RunComparison {
  readonly a: EvalRun;
  readonly b: EvalRun;
  readonly differences: readonly CaseDifference[];
  readonly regressed: number;
  readonly fixed: number;
}

/** Compares run `a` with run `b` (both of one task). */
export function compareRuns(a: EvalRun, b: EvalRun, minDelta = 0.05): RunComparison {
  const inB = new Map(b.cases.map((c) => [c.id, c]));
  const inA = new Map(a.cases.map((c) => [c.id, c]));
  const differences: CaseDifference[] = [];
  for (const ca of a.cases) {
    const cb = inB.get(ca.id);
    const before = { pass: ca.pass, score: ca.score };
    if (cb === undefined) {
      differences.push({ id: ca.id, change: 'removed', a: before, reasons: [] });
      continue;
    }
    const after = { pass: cb.pass, score: cb.score };
    const reasons = [
      ...(cb.error === undefined ? [] : [cb.error]),
      ...cb.assertions.filter((r) => !r.pass && r.skipped !== true).map((r) => `${r.type}: ${r.reason}`),
    ];
    if (ca.pass && !cb.pass) differences.push({ id: ca.id, change: 'regressed', a: before, b: after, reasons });
    else if (!ca.pass && cb.pass) differences.push({ id: ca.id, change: 'fixed', a: before, b: after, reasons: [] });
    else if (Math.abs(ca.score - cb.score) >= minDelta)
      differences.push({ id: ca.id, change: 'score', a: before, b: after, reasons });
  }
  for (const cb of b.cases) {
    if (!inA.has(cb.id))
      differences.push({ id: cb.id, change: 'added', b: { pass: cb.pass, score: cb.score }, reasons: [] });
  }
  return {
    a,
    b,
    differences,
    regressed: differences.filter((d) => d.change === 'regressed').length,
    fixed: differences.filter((d) => d.change === 'fixed').length,
  };
}
