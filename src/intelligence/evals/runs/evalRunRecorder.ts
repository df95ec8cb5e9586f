/**
 * Stores a finished eval run (`ai_eval_runs`): the headline figures as columns, the whole run as JSON. Outputs
 * in the stored copy are capped per case so a run with long bodies stays a few hundred kilobytes.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../../data/store/schema.ts';
import type { EvalRun } from '../suiteRunner.ts';
import { evalDb } from './tables.ts';

/** Longest output text kept per case in the stored summary. */
export const STORED_OUTPUT_CHARS = 4000;

function capped(output: unknown): unknown {
  if (output === undefined) return undefined;
  const text = JSON.stringify(output);
  return text.length <= STORED_OUTPUT_CHARS ? output : `${text.slice(0, STORED_OUTPUT_CHARS)}…`;
}

/** What recordEvalRun needs. */
export interface RecordEvalRunProps {
  /** The store (or a transaction). */
  readonly db: Kysely<Database>;
  /** The finished run. */
  readonly run: EvalRun;
}

/** Stores `props.run`. */
export async function recordEvalRun(props: RecordEvalRunProps): Promise<void> {
  const { run } = props;
  const stored: EvalRun = { ...run, cases: run.cases.map((c) => ({ ...c, output: capped(c.output) })) };
  await evalDb(props.db)
    .insertInto('ai_eval_runs')
    .values({
      id: run.id,
      task: run.task,
      prompt_hash: run.promptHash,
      model: run.model,
      label: run.label ?? null,
      started_at: run.startedAt,
      finished_at: run.finishedAt,
      cases: run.figures.cases,
      passed: run.figures.passed,
      pass_rate: run.figures.passRate,
      mean_score: run.figures.meanScore,
      p95_latency_ms: run.figures.p95LatencyMs,
      tokens_per_case: run.figures.tokensPerCase,
      cost_per_case: run.figures.costPerCaseUsd,
      gate_passed: run.gate.pass ? 1 : 0,
      summary: JSON.stringify(stored),
    })
    .execute();
}
