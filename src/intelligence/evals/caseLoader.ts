/**
 * Loads a task's golden cases from `evals/<task>/cases.jsonl`: checks the file against the manifest first (a
 * changed file is refused with both hashes and the fix), then parses each line against the case schema and
 * validates every assertion, reporting the line and case id of the first problems. Ids must be unique.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Value } from 'typebox/value';
import type { TaskName } from '../tasks.ts';
import { assertionProblems } from './caseAssertions.ts';
import { type EvalCase, EvalCaseSchema } from './evalCase.ts';
import { caseFileOf, MANIFEST_FILE, readManifest, sha256 } from './manifest.ts';

/** A case file that cannot be used: changed without a manifest update, missing, or malformed. */
export class EvalFixtureError extends Error {
  override readonly name = 'EvalFixtureError';
}

/** A task's loaded cases and the hash of the file they came from. */
export interface LoadedCases {
  readonly task: TaskName;
  readonly file: string;
  readonly sha256: string;
  readonly cases: readonly EvalCase[];
}

function parseLine(line: string, lineNo: number, file: string): EvalCase {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (error) {
    throw new EvalFixtureError(`${file}:${lineNo}: not JSON (${error instanceof Error ? error.message : error})`);
  }
  const id = typeof raw === 'object' && raw !== null && 'id' in raw ? String(raw.id) : '?';
  const errors = [...Value.Errors(EvalCaseSchema, raw)].slice(0, 3);
  if (errors.length > 0) {
    const listed = errors.map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
    throw new EvalFixtureError(`${file}:${lineNo} (case ${id}): ${listed}`);
  }
  const evalCase = raw as EvalCase;
  const problems = evalCase.expectations.flatMap((spec) => assertionProblems(spec));
  if (problems.length > 0) throw new EvalFixtureError(`${file}:${lineNo} (case ${id}): ${problems.join('; ')}`);
  return evalCase;
}

/** Loads and checks `task`'s cases from `evalsDir`; throws EvalFixtureError with a clear message. */
export function loadCases(evalsDir: string, task: TaskName, options: { verifyManifest?: boolean } = {}): LoadedCases {
  const relative = caseFileOf(task);
  const file = path.join(evalsDir, relative);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    throw new EvalFixtureError(`${file}: no case file for task "${task}"`);
  }
  const hash = sha256(bytes);
  if (options.verifyManifest ?? true) {
    const recorded = readManifest(evalsDir).get(relative);
    if (recorded === undefined) {
      throw new EvalFixtureError(
        `${relative} is not listed in ${MANIFEST_FILE}; review the cases, then run \`galley eval --update-manifest\``,
      );
    }
    if (recorded !== hash) {
      throw new EvalFixtureError(
        `${relative} changed without a manifest update (recorded ${recorded.slice(0, 12)}…, file ${hash.slice(0, 12)}…); ` +
          `golden cases are frozen: if the change is deliberate, run \`galley eval --update-manifest\` and commit both`,
      );
    }
  }
  const cases: EvalCase[] = [];
  const seen = new Set<string>();
  bytes
    .toString('utf8')
    .split('\n')
    .forEach((line, index) => {
      if (line.trim() === '') return;
      const evalCase = parseLine(line, index + 1, relative);
      if (seen.has(evalCase.id))
        throw new EvalFixtureError(`${relative}:${index + 1}: duplicate case id "${evalCase.id}"`);
      seen.add(evalCase.id);
      cases.push(evalCase);
    });
  if (cases.length === 0) throw new EvalFixtureError(`${relative}: no cases`);
  return Object.freeze({ task, file: relative, sha256: hash, cases: Object.freeze(cases) });
}
