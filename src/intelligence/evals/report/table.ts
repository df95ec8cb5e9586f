/** Plain-text tables for the terminal: a run's figures against its gate, its failing cases, and a comparison. */
import type { RunComparison } from '../runComparison.ts';
import type { GateCheck } from '../scoring.ts';
import type { EvalRun } from '../suiteRunner.ts';

const pct = (n: number) => `${(n * 100).toFixed(1)}%`;

function checkText(check: GateCheck): string {
  const fmt = (n: number) =>
    check.metric === 'minPassRate' ? pct(n) : check.metric === 'maxCostPerCaseUsd' ? `$${n.toFixed(6)}` : String(n);
  const op = check.metric.startsWith('min') ? '≥' : '≤';
  return `${check.pass ? 'ok  ' : 'FAIL'} ${check.metric} ${fmt(check.actual)} ${op} ${fmt(check.limit)}`;
}

function row(cells: readonly string[], widths: readonly number[]): string {
  return cells
    .map((c, i) => c.padEnd(widths[i] ?? 0))
    .join('  ')
    .trimEnd();
}

/** The summary table of several runs (one line per task). */
export function runsTable(runs: readonly EvalRun[]): string[] {
  const header = ['task', 'cases', 'pass rate', 'mean score', 'p95 ms', 'tokens/case', 'cost/case', 'gate'];
  const rows = runs.map((r) => [
    r.task,
    String(r.figures.cases),
    pct(r.figures.passRate),
    r.figures.meanScore.toFixed(3),
    r.figures.p95LatencyMs.toFixed(1),
    r.figures.tokensPerCase.toFixed(1),
    `$${r.figures.costPerCaseUsd.toFixed(6)}`,
    r.gate.pass ? 'pass' : 'FAIL',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [
    row(header, widths),
    row(
      widths.map((w) => '-'.repeat(w)),
      widths,
    ),
    ...rows.map((r) => row(r, widths)),
  ];
}

/** A run's details: prompt, model, gate checks, skipped notice and failing cases (at most `maxFailures`). */
export function runDetails(run: EvalRun, maxFailures = 10): string[] {
  const lines = [
    `${run.task}: prompt ${run.promptHash.slice(0, 12)}${run.label === undefined ? '' : ` (${run.label})`}  model ${run.model}  run ${run.id}`,
    ...run.gate.checks.map((c) => `  ${checkText(c)}`),
  ];
  if (run.skipped.count > 0)
    lines.push(`  notice: ${run.skipped.count} assertion(s) ${run.skipped.notice ?? 'skipped'}`);
  const failures = run.cases.filter((c) => !c.pass);
  for (const c of failures.slice(0, maxFailures)) {
    const why =
      c.error ??
      c.assertions
        .filter((a) => !a.pass && a.skipped !== true)
        .map((a) => `${a.type}: ${a.reason}`)
        .join('; ');
    lines.push(`  fail ${c.id} (score ${c.score.toFixed(2)}): ${why}`);
  }
  if (failures.length > maxFailures)
    lines.push(`  … ${failures.length - maxFailures} more failing case(s) in the report`);
  return lines;
}

/** A comparison as lines. */
export function comparisonLines(comparison: RunComparison): string[] {
  const { a, b } = comparison;
  const side = (r: EvalRun) => `${r.promptHash.slice(0, 12)}/${r.model} (run ${r.id.slice(0, 8)})`;
  const lines = [
    `${a.task}: A = ${side(a)}  B = ${side(b)}`,
    `  pass rate ${pct(a.figures.passRate)} → ${pct(b.figures.passRate)}; mean score ${a.figures.meanScore.toFixed(3)} → ${b.figures.meanScore.toFixed(3)}; ` +
      `p95 ${a.figures.p95LatencyMs}ms → ${b.figures.p95LatencyMs}ms; tokens/case ${a.figures.tokensPerCase} → ${b.figures.tokensPerCase}`,
    `  ${comparison.regressed} regressed, ${comparison.fixed} fixed, ${comparison.differences.length} case(s) differ`,
  ];
  for (const d of comparison.differences) {
    const fmt = (v: { pass: boolean; score: number } | undefined) =>
      v === undefined ? '—' : `${v.pass ? 'pass' : 'fail'} ${v.score.toFixed(2)}`;
    const why = d.reasons.length > 0 ? `  (${d.reasons.join('; ')})` : '';
    lines.push(`  ${d.change.padEnd(9)} ${d.id}: ${fmt(d.a)} → ${fmt(d.b)}${why}`);
  }
  return lines;
}
