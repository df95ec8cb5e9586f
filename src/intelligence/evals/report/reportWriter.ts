/**
 * Writes a report pair to a folder: `<name>.json` (the runs, as stored) and `<name>.html` (renderHtmlReport).
 * The name is the first run's id, or `eval-<timestamp>` for several tasks.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { EvalRun } from '../suiteRunner.ts';
import { renderHtmlReport } from './htmlReport.ts';

/** Writes the JSON and HTML reports of `runs` to `dir`; resolves with their paths. */
export function writeReports(dir: string, runs: readonly EvalRun[]): { json: string; html: string } {
  mkdirSync(dir, { recursive: true });
  const only = runs.length === 1 ? runs[0] : undefined;
  const name =
    only === undefined ? `eval-${new Date().toISOString().replace(/[:.]/g, '-')}` : `${only.task}-${only.id}`;
  const json = path.join(dir, `${name}.json`);
  const html = path.join(dir, `${name}.html`);
  writeFileSync(json, `${JSON.stringify({ runs }, null, 2)}\n`);
  writeFileSync(html, renderHtmlReport(runs));
  return { json, html };
}
