/**
 * `galley safety [--json <path>] [--dir <suites>] [--verbose]`: runs the frozen safety suites (evals/safety)
 * through the live path's scan and prints block rate, false-positive rate and PII redaction recall/precision
 * per category and split; exits 1 when a row misses evals/safety/thresholds.yaml.
 *
 * `galley safety scan [file]`: reads JSONL (`{"id","text"}` per line) from the file or stdin and writes one
 * verdict per line, `{"id","injection","jailbreak","pii":[…],"score"}`, using exactly `scanText`, so any outside
 * suite can be run against Galley. Exit codes: 0 success, 1 thresholds missed or unreadable input lines,
 * 2 bad usage.
 */
import { createReadStream, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Config } from '../../config/config.ts';
import { scanText } from '../../intelligence/safety/scan.ts';
import { loadSafetySuites, SuiteIntegrityError } from '../../intelligence/safety/suites/suiteLoader.ts';
import { readThresholds, runSafetySuites, type SuiteReport } from '../../intelligence/safety/suites/suiteRunner.ts';

const USAGE = 'usage: galley safety [--json <path>] [--dir <suites dir>] [--verbose] | galley safety scan [file]';
const DEFAULT_DIR = fileURLToPath(new URL('../../../evals/safety', import.meta.url));

/** Runs `galley safety`. */
export async function runSafety(
  args: readonly string[],
  _config: Config,
  out: (line: string) => void,
): Promise<number> {
  if (args[0] === 'scan') return scan(args.slice(1), out);
  let values: { json?: string; dir?: string; verbose?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { json: { type: 'string' }, dir: { type: 'string' }, verbose: { type: 'boolean', short: 'v' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    out(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const dir = values.dir ?? DEFAULT_DIR;
  let report: SuiteReport;
  try {
    report = runSafetySuites(loadSafetySuites(dir), readThresholds(`${dir}/thresholds.yaml`));
  } catch (error) {
    if (error instanceof SuiteIntegrityError) {
      out(`galley safety: refusing the suites: ${error.message}`);
      return 1;
    }
    throw error;
  }
  printReport(report, out, values.verbose === true);
  if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
  return report.passed ? 0 : 1;
}

function pct(x: number | null): string {
  return x === null ? '—' : `${(x * 100).toFixed(1)} %`;
}

function printReport(report: SuiteReport, out: (line: string) => void, verbose: boolean): void {
  const header = ['category', 'split', 'cases', 'blocked', 'false pos.', 'PII recall', 'PII precision', 'verdict'];
  const widths = [19, 11, 6, 9, 11, 11, 14, 0];
  const row = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join(' ')
      .trimEnd();
  out(row(header));
  for (const r of report.rows) {
    const cells = [
      r.category,
      r.split,
      String(r.cases),
      pct(r.blockRate),
      pct(r.falsePositiveRate),
      pct(r.piiRecall),
      pct(r.piiPrecision),
      r.breach === null ? 'ok' : `FAIL: ${r.breach}`,
    ];
    out(row(cells));
    if (verbose && r.failures.length > 0) out(`    failed: ${r.failures.join(', ')}`);
  }
  const t = report.timing;
  out('');
  out(
    `scan time over ${t.cases} cases: mean ${t.meanMs.toFixed(3)} ms, p50 ${t.p50Ms.toFixed(3)} ms, p99 ${t.p99Ms.toFixed(3)} ms`,
  );
  out(report.passed ? 'all safety thresholds met' : 'safety thresholds MISSED');
}

async function scan(args: readonly string[], out: (line: string) => void): Promise<number> {
  if (args.length > 1) {
    out(USAGE);
    return 2;
  }
  const [file] = args;
  const input = file === undefined || file === '-' ? process.stdin : createReadStream(file, 'utf8');
  let bad = 0;
  let n = 0;
  for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    n += 1;
    if (line.trim() === '') continue;
    const parsed = parseLine(line);
    if (typeof parsed === 'string') {
      bad += 1;
      out(JSON.stringify({ id: null, line: n, error: parsed }));
      continue;
    }
    const v = scanText(parsed.text);
    out(JSON.stringify({ id: parsed.id, injection: v.injection, jailbreak: v.jailbreak, pii: v.pii, score: v.score }));
  }
  return bad === 0 ? 0 : 1;
}

function parseLine(line: string): { id: unknown; text: string } | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'not valid JSON';
  }
  if (typeof value !== 'object' || value === null || !('text' in value) || typeof value.text !== 'string') {
    return 'expected an object with a string "text"';
  }
  return { id: 'id' in value ? value.id : null, text: value.text };
}
