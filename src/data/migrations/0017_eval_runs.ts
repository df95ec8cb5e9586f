/**
 * Eval runs (src/intelligence/evals): one row per run of one task's golden suite by `galley eval`, for the
 * admin page (latest run per task) and for shadow comparisons. The headline figures are columns so they can be
 * listed and compared without parsing; `summary` is the whole run as JSON (gate checks, thresholds, skipped
 * notice and every case's result). Runs are not tenant data: the suites are fixtures, not entries.
 * `gate_passed` is 0 or 1 on both dialects.
 */
import { sql } from 'kysely';
import type { Migration } from './migration.ts';

export const migration: Migration = {
  async up(db) {
    await db.schema
      .createTable('ai_eval_runs')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('task', 'text', (c) => c.notNull())
      .addColumn('prompt_hash', 'text', (c) => c.notNull())
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('label', 'text')
      .addColumn('started_at', 'text', (c) => c.notNull())
      .addColumn('finished_at', 'text', (c) => c.notNull())
      .addColumn('cases', 'bigint', (c) => c.notNull())
      .addColumn('passed', 'bigint', (c) => c.notNull())
      .addColumn('pass_rate', 'double precision', (c) => c.notNull())
      .addColumn('mean_score', 'double precision', (c) => c.notNull())
      .addColumn('p95_latency_ms', 'double precision', (c) => c.notNull())
      .addColumn('tokens_per_case', 'double precision', (c) => c.notNull())
      .addColumn('cost_per_case', 'double precision', (c) => c.notNull())
      .addColumn('gate_passed', 'bigint', (c) => c.notNull().check(sql`gate_passed in (0, 1)`))
      .addColumn('summary', 'text', (c) => c.notNull())
      .execute();
    // Latest run per task, and a version's or model's runs for `galley eval compare`.
    await db.schema
      .createIndex('ai_eval_runs_task_idx')
      .ifNotExists()
      .on('ai_eval_runs')
      .columns(['task', 'finished_at'])
      .execute();
    await db.schema
      .createIndex('ai_eval_runs_prompt_idx')
      .ifNotExists()
      .on('ai_eval_runs')
      .columns(['prompt_hash', 'finished_at'])
      .execute();
  },
};
