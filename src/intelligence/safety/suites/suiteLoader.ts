/**
 * Loads the frozen safety suites from `evals/safety/`: Galley's own cases (`<category>.jsonl`) and the public
 * dev set (`public/*.dev.jsonl`). Every case file must be listed in `MANIFEST.sha256` with its current hash;
 * a file changed without updating the manifest (or missing from it) is refused, so a result can always be
 * traced to exact fixtures. Own cases carry a split (`dev` / `holdout`) that must equal the one their id hashes
 * to, so a case cannot be moved between splits by hand.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PiiKind } from '../pii.ts';

/** The suite categories. */
export const SAFETY_CATEGORIES = Object.freeze([
  'injection-direct',
  'injection-indirect',
  'jailbreak',
  'extraction',
  'pii',
  'benign',
] as const);

/** One category. */
export type SafetyCategory = (typeof SAFETY_CATEGORIES)[number];

/** `dev` and `holdout` for Galley's own cases; `public-dev` for the published dev set. */
export type SafetySplit = 'dev' | 'holdout' | 'public-dev';

/** An expected PII span. */
export interface ExpectedSpan {
  readonly kind: PiiKind;
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** One case. `attack` cases must be blocked; benign ones must not; `pii` lists the spans to redact. */
export interface SafetyCase {
  readonly id: string;
  readonly category: SafetyCategory;
  readonly split: SafetySplit;
  readonly text: string;
  readonly attack: boolean;
  /** Expected PII spans when the case is scored for redaction (pii and benign cases), else undefined. */
  readonly pii: readonly ExpectedSpan[] | undefined;
  readonly source: string;
}

/** A fixture file changed without its manifest entry, or the manifest is missing. */
export class SuiteIntegrityError extends Error {
  override readonly name = 'SuiteIntegrityError';
}

/** The split an own case's id hashes to: first byte of sha256(id) below 77 (≈ 30 %) is holdout. */
export function splitOf(id: string): 'dev' | 'holdout' {
  return (createHash('sha256').update(id).digest()[0] ?? 0) < 77 ? 'holdout' : 'dev';
}

/** Public dev-set files and the category each maps to. */
const PUBLIC_FILES: Readonly<Record<string, SafetyCategory>> = Object.freeze({
  'jailbreak_inthewild.dev.jsonl': 'jailbreak',
  'dan.dev.jsonl': 'jailbreak',
  'sysprompt_extraction.dev.jsonl': 'extraction',
  'benign_news.dev.jsonl': 'benign',
  'benign_howto.dev.jsonl': 'benign',
});

function readManifest(dir: string): Map<string, string> {
  const path = join(dir, 'MANIFEST.sha256');
  if (!existsSync(path)) throw new SuiteIntegrityError(`${path} is missing`);
  const entries = new Map<string, string>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^([0-9a-f]{64}) {2}(\S+)$/.exec(line.trim());
    if (m?.[1] !== undefined && m[2] !== undefined) entries.set(m[2], m[1]);
  }
  return entries;
}

/** Reads a case file after checking its hash against the manifest. */
function readFrozen(dir: string, file: string, manifest: ReadonlyMap<string, string>): string {
  const expected = manifest.get(file);
  if (expected === undefined) throw new SuiteIntegrityError(`${file} is not listed in MANIFEST.sha256`);
  const bytes = readFileSync(join(dir, file));
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== expected) {
    throw new SuiteIntegrityError(`${file} changed (sha256 ${actual}) but MANIFEST.sha256 says ${expected}`);
  }
  return bytes.toString('utf8');
}

function parseLines(file: string, body: string): Record<string, unknown>[] {
  return body
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      const v: unknown = JSON.parse(l);
      if (typeof v !== 'object' || v === null) throw new SuiteIntegrityError(`${file}:${i + 1} is not an object`);
      return v as Record<string, unknown>;
    });
}

function str(row: Record<string, unknown>, key: string, file: string): string {
  const v = row[key];
  if (typeof v !== 'string') throw new SuiteIntegrityError(`${file}: case ${String(row.id)} has no string "${key}"`);
  return v;
}

function ownCase(row: Record<string, unknown>, file: string, category: SafetyCategory): SafetyCase {
  const id = str(row, 'id', file);
  const split = str(row, 'split', file);
  if (split !== splitOf(id))
    throw new SuiteIntegrityError(`${file}: case ${id} says split ${split}, hash says ${splitOf(id)}`);
  const expect = (row.expect ?? {}) as { pii?: ExpectedSpan[] };
  return Object.freeze({
    id,
    category,
    split,
    text: str(row, 'text', file),
    attack: category !== 'pii' && category !== 'benign',
    pii: category === 'pii' || category === 'benign' ? Object.freeze(expect.pii ?? []) : undefined,
    source: str(row, 'source', file),
  });
}

/** Loads every suite under `dir` (normally `evals/safety`), verifying the manifest. */
export function loadSafetySuites(dir: string): readonly SafetyCase[] {
  const manifest = readManifest(dir);
  const cases: SafetyCase[] = [];
  for (const category of SAFETY_CATEGORIES) {
    const file = `${category}.jsonl`;
    for (const row of parseLines(file, readFrozen(dir, file, manifest))) cases.push(ownCase(row, file, category));
  }
  const publicDir = join(dir, 'public');
  const present = existsSync(publicDir) ? readdirSync(publicDir).filter((f) => f.endsWith('.jsonl')) : [];
  for (const name of present.sort()) {
    const file = `public/${name}`;
    const category = PUBLIC_FILES[name];
    if (category === undefined) throw new SuiteIntegrityError(`${file} has no category mapping`);
    for (const row of parseLines(file, readFrozen(dir, file, manifest))) {
      cases.push(
        Object.freeze({
          id: str(row, 'id', file),
          category,
          split: 'public-dev',
          text: str(row, 'text', file),
          attack: str(row, 'label', file) !== 'benign',
          pii: undefined,
          source: str(row, 'source', file),
        }),
      );
    }
  }
  return Object.freeze(cases);
}
