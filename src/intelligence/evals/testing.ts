/** FOR TESTS. Hand-built eval runs for report, store, comparison and API tests. */
import { randomUUID } from 'node:crypto';
import type { TaskName } from '../tasks.ts';
import { type CaseFigures, gate, runFigures } from './scoring.ts';
import type { CaseResult, EvalRun } from './suiteRunner.ts';
import type { TaskThresholds } from './thresholds.ts';

/** One case result: passing unless `pass: false`; `reason` becomes its failing assertion's reason. */
export function buildCaseResult(fields: Partial<CaseResult> & { id: string; reason?: string }): CaseResult {
  const pass = fields.pass ?? true;
  const { reason, ...rest } = fields;
  return {
    tags: ['en'],
    pass,
    score: pass ? 1 : 0.4,
    latencyMs: 12,
    tokens: 500,
    costUsd: 0,
    output: { summary: `output of ${fields.id}` },
    assertions: [
      { type: 'similar', weight: 1, pass, score: pass ? 1 : 0.4, reason: reason ?? (pass ? 'close' : 'far') },
      { type: 'llm-rubric', weight: 1, pass: false, score: 0, reason: 'skipped: no judge', skipped: true },
    ],
    ...rest,
  };
}

/** A run of `task` over `cases`, with figures and gate computed from them. */
export function buildEvalRun(
  task: TaskName,
  cases: readonly CaseResult[],
  fields: Partial<Omit<EvalRun, 'cases' | 'figures' | 'gate'>> & { thresholds?: TaskThresholds } = {},
): EvalRun {
  const figures = runFigures(cases as readonly CaseFigures[]);
  const thresholds = fields.thresholds ?? { minPassRate: 0.5 };
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    task,
    label: 'production',
    promptHash: 'a'.repeat(64),
    model: 'galley-local-1',
    startedAt: now,
    finishedAt: now,
    casesFile: `${task}/cases.jsonl`,
    casesSha256: 'b'.repeat(64),
    skipped: { count: cases.length, notice: 'skipped: no judge' },
    ...fields,
    thresholds,
    figures,
    gate: gate(figures, thresholds),
    cases,
  };
}
