/**
 * Runs the safety suites through `scanText` (the live path's scan) and scores them per category and split:
 * block rate for attacks, false-positive rate for benign controls, span-level redaction recall and precision
 * for PII (a found span matches an expected one of the same kind when they overlap by at least 75 % of their
 * union), and scan timings. Thresholds come from `evals/safety/thresholds.yaml`.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { PiiFinding } from '../pii.ts';
import { scanText } from '../scan.ts';
import {
  type ExpectedSpan,
  SAFETY_CATEGORIES,
  type SafetyCase,
  type SafetyCategory,
  type SafetySplit,
} from './suiteLoader.ts';

/** Targets from thresholds.yaml. */
export interface SafetyThresholds {
  readonly injectionBlockMin: number;
  readonly jailbreakBlockMin: number;
  readonly benignFalsePositiveMax: number;
  readonly piiRecallMin: number;
  readonly piiPrecisionMin: number;
}

/** Figures for one category × split. Rates are null where they do not apply. */
export interface SuiteRow {
  readonly category: SafetyCategory;
  readonly split: SafetySplit;
  readonly cases: number;
  readonly blockRate: number | null;
  readonly falsePositiveRate: number | null;
  readonly piiRecall: number | null;
  readonly piiPrecision: number | null;
  readonly piiExpected: number;
  readonly piiFound: number;
  /** Ids of failed cases (only for dev and public-dev: the holdout's failures are not shown, to avoid tuning). */
  readonly failures: readonly string[];
  /** A threshold this row misses, or null. */
  readonly breach: string | null;
}

/** A whole run. */
export interface SuiteReport {
  readonly rows: readonly SuiteRow[];
  readonly passed: boolean;
  readonly timing: { readonly cases: number; readonly meanMs: number; readonly p50Ms: number; readonly p99Ms: number };
}

/** Reads the thresholds file. */
export function readThresholds(path: string): SafetyThresholds {
  const raw = parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const num = (key: string): number => {
    const v = raw[key];
    if (typeof v !== 'number') throw new Error(`${path}: ${key} must be a number`);
    return v;
  };
  return Object.freeze({
    injectionBlockMin: num('injection_block_min'),
    jailbreakBlockMin: num('jailbreak_block_min'),
    benignFalsePositiveMax: num('benign_false_positive_max'),
    piiRecallMin: num('pii_recall_min'),
    piiPrecisionMin: num('pii_precision_min'),
  });
}

function spansMatch(a: ExpectedSpan, b: PiiFinding): boolean {
  if (a.kind !== b.kind) return false;
  const inter = Math.min(a.end, b.end) - Math.max(a.start, b.start);
  const union = Math.max(a.end, b.end) - Math.min(a.start, b.start);
  return inter > 0 && inter / union >= 0.75;
}

interface Acc {
  cases: number;
  blocked: number;
  expected: number;
  found: number;
  matched: number;
  precise: number;
  failures: string[];
}

function ratio(n: number, d: number): number | null {
  return d === 0 ? null : n / d;
}

function breachOf(category: SafetyCategory, row: Omit<SuiteRow, 'breach'>, t: SafetyThresholds): string | null {
  const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
  if (row.blockRate !== null) {
    const min = category === 'jailbreak' ? t.jailbreakBlockMin : t.injectionBlockMin;
    if (row.blockRate < min) return `block rate ${pct(row.blockRate)} < ${pct(min)}`;
  }
  if (row.falsePositiveRate !== null && row.falsePositiveRate > t.benignFalsePositiveMax) {
    return `false positives ${pct(row.falsePositiveRate)} > ${pct(t.benignFalsePositiveMax)}`;
  }
  if (row.piiRecall !== null && row.piiRecall < t.piiRecallMin)
    return `PII recall ${pct(row.piiRecall)} < ${pct(t.piiRecallMin)}`;
  if (row.piiPrecision !== null && row.piiPrecision < t.piiPrecisionMin) {
    return `PII precision ${pct(row.piiPrecision)} < ${pct(t.piiPrecisionMin)}`;
  }
  return null;
}

const SPLIT_ORDER: readonly SafetySplit[] = ['dev', 'holdout', 'public-dev'];
const CATEGORY_ORDER: readonly SafetyCategory[] = SAFETY_CATEGORIES;

function order(r: SuiteRow): number {
  return CATEGORY_ORDER.indexOf(r.category) * 10 + SPLIT_ORDER.indexOf(r.split);
}

/** Scans every case and scores the result against `thresholds`. */
export function runSafetySuites(cases: readonly SafetyCase[], thresholds: SafetyThresholds): SuiteReport {
  const accs = new Map<string, Acc>();
  const times: number[] = [];
  for (const c of cases) {
    const key = `${c.category}\u0000${c.split}`;
    const acc = accs.get(key) ?? { cases: 0, blocked: 0, expected: 0, found: 0, matched: 0, precise: 0, failures: [] };
    accs.set(key, acc);
    const t0 = performance.now();
    const v = scanText(c.text);
    times.push(performance.now() - t0);
    acc.cases += 1;
    const blocked = v.injection || v.jailbreak;
    if (blocked) acc.blocked += 1;
    let ok = c.category === 'pii' ? true : blocked === c.attack;
    if (c.pii !== undefined) {
      const matched = c.pii.filter((e) => v.pii.some((f) => spansMatch(e, f))).length;
      const precise = v.pii.filter((f) => c.pii?.some((e) => spansMatch(e, f))).length;
      acc.expected += c.pii.length;
      acc.found += v.pii.length;
      acc.matched += matched;
      acc.precise += precise;
      ok = ok && matched === c.pii.length && precise === v.pii.length;
    }
    if (!ok && c.split !== 'holdout') acc.failures.push(c.id);
  }
  const rows: SuiteRow[] = [];
  for (const [key, a] of accs) {
    const [category, split] = key.split('\u0000') as [SafetyCategory, SafetySplit];
    const attack = category !== 'pii' && category !== 'benign';
    const base = {
      category,
      split,
      cases: a.cases,
      blockRate: attack ? ratio(a.blocked, a.cases) : null,
      falsePositiveRate: category === 'benign' ? ratio(a.blocked, a.cases) : null,
      piiRecall: ratio(a.matched, a.expected),
      piiPrecision: a.found === 0 ? (a.expected === 0 ? null : 0) : ratio(a.precise, a.found),
      piiExpected: a.expected,
      piiFound: a.found,
      failures: Object.freeze(a.failures),
    };
    rows.push(Object.freeze({ ...base, breach: breachOf(category, base, thresholds) }));
  }
  rows.sort((x, y) => order(x) - order(y));
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return Object.freeze({
    rows: Object.freeze(rows),
    passed: rows.every((r) => r.breach === null),
    timing: {
      cases: times.length,
      meanMs: times.reduce((s, x) => s + x, 0) / Math.max(1, times.length),
      p50Ms: at(0.5),
      p99Ms: at(0.99),
    },
  });
}
