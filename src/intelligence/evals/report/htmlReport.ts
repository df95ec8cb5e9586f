/**
 * A self-contained HTML report of eval runs: inline CSS, no scripts, no external assets, readable from a file
 * or an artifact store without a server. Every value from a case file or a model output is HTML-escaped (an
 * output may contain markup or an injection attempt). Case details use <details>, which works without script.
 */
import type { AssertionResult } from '../caseAssertions.ts';
import type { CaseResult, EvalRun } from '../suiteRunner.ts';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const CSS = `
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1b1f24;background:#fff}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}.pass{color:#116329;font-weight:600}.fail{color:#a40e26;font-weight:600}.skip{color:#7d4e00}
.notice{background:#fff8c5;border:1px solid #d4a72c;padding:.5rem;margin:.5rem 0}
pre{white-space:pre-wrap;word-break:break-word;background:#f6f8fa;padding:.5rem;max-height:20rem;overflow:auto}
details{margin:.25rem 0}summary{cursor:pointer}.meta{color:#57606a}
`;

const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
const e = (value: unknown) => escapeHtml(String(value));
const verdict = (pass: boolean) => (pass ? '<span class="pass">pass</span>' : '<span class="fail">FAIL</span>');

function assertionRow(a: AssertionResult): string {
  const status = a.skipped === true ? '<span class="skip">skipped</span>' : verdict(a.pass);
  const path = a.path === undefined ? '' : ` <span class="meta">${e(a.path)}</span>`;
  return `<tr><td>${e(a.type)}${path}</td><td>${status}</td><td>${a.score.toFixed(2)}</td><td>${e(a.reason)}</td></tr>`;
}

function caseBlock(c: CaseResult): string {
  const output = c.output === undefined ? '(no output)' : JSON.stringify(c.output, null, 2);
  const error = c.error === undefined ? '' : `<p class="fail">error: ${e(c.error)}</p>`;
  return [
    `<details${c.pass ? '' : ' open'}><summary>${verdict(c.pass)} <code>${e(c.id)}</code> score ${c.score.toFixed(2)}`,
    ` <span class="meta">${e(c.tags.join(', '))} · ${c.latencyMs} ms · ${c.tokens} tokens</span></summary>`,
    error,
    '<table><tr><th>assertion</th><th>result</th><th>score</th><th>reason</th></tr>',
    ...c.assertions.map(assertionRow),
    `</table><pre>${e(output)}</pre></details>`,
  ].join('');
}

function runSection(run: EvalRun): string {
  const f = run.figures;
  const checks = run.gate.checks
    .map(
      (c) => `<tr><td>${e(c.metric)}</td><td>${e(c.actual)}</td><td>${e(c.limit)}</td><td>${verdict(c.pass)}</td></tr>`,
    )
    .join('');
  const notice =
    run.skipped.count > 0
      ? `<p class="notice">${run.skipped.count} assertion(s) ${e(run.skipped.notice ?? 'skipped')}. They are not counted as passed.</p>`
      : '';
  return [
    `<h2>${e(run.task)} — gate ${verdict(run.gate.pass)}</h2>`,
    `<p class="meta">prompt <code>${e(run.promptHash)}</code>${run.label === undefined ? '' : ` (label ${e(run.label)})`}, model <code>${e(run.model)}</code>,`,
    ` run <code>${e(run.id)}</code>, ${e(run.startedAt)} → ${e(run.finishedAt)}, cases <code>${e(run.casesFile)}</code> sha256 ${e(run.casesSha256.slice(0, 16))}…</p>`,
    `<table><tr><th>cases</th><th>passed</th><th>pass rate</th><th>mean score</th><th>p95 latency</th><th>tokens/case</th><th>cost/case</th></tr>`,
    `<tr><td>${f.cases}</td><td>${f.passed}</td><td>${pct(f.passRate)}</td><td>${f.meanScore.toFixed(3)}</td><td>${f.p95LatencyMs} ms</td><td>${f.tokensPerCase}</td><td>$${f.costPerCaseUsd.toFixed(6)}</td></tr></table>`,
    `<table><tr><th>threshold</th><th>actual</th><th>limit</th><th>result</th></tr>${checks}</table>`,
    notice,
    ...run.cases.map(caseBlock),
  ].join('\n');
}

/** The report of `runs` as one HTML document. */
export function renderHtmlReport(runs: readonly EvalRun[], title = 'Galley eval report'): string {
  const overall = runs.every((r) => r.gate.pass);
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta name="viewport" content="width=device-width,initial-scale=1"><title>${e(title)}</title>`,
    `<style>${CSS}</style></head><body>`,
    `<h1>${e(title)} — ${verdict(overall)}</h1>`,
    ...runs.map(runSection),
    '</body></html>',
  ].join('\n');
}
