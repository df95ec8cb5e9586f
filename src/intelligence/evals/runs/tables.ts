/** Row type of `ai_eval_runs` (migration 0017) and the typed handle over it. */
import type { Kysely } from 'kysely';
import type { Database } from '../../../data/store/schema.ts';

/** One stored eval run. */
export interface AiEvalRunsTable {
  id: string;
  task: string;
  prompt_hash: string;
  model: string;
  label: string | null;
  started_at: string;
  finished_at: string;
  cases: number;
  passed: number;
  pass_rate: number;
  mean_score: number;
  p95_latency_ms: number;
  tokens_per_case: number;
  cost_per_case: number;
  /** 0 or 1. */
  gate_passed: number;
  /** The whole EvalRun as JSON. */
  summary: string;
}

/** The eval tables alone. */
export type EvalOnlyTables = { ai_eval_runs: AiEvalRunsTable };

/** The store typed over the identity and eval tables. */
export function evalDb(db: Kysely<Database>): Kysely<Database & EvalOnlyTables> {
  return db.withTables<EvalOnlyTables>();
}
