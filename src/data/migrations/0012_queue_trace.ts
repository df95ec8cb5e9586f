/**
 * Trace context carried inside embedded-queue jobs: `queue_jobs.trace_context` holds the JSON object of
 * propagation entries (W3C `traceparent`, `tracestate`) given at enqueue, so the worker's span joins the
 * producer's trace across the queue. Nullable and additive: rows written before it read as "no context".
 */
import type { Migration } from './migration.ts';

/** Adds the nullable `trace_context` column. */
export const migration: Migration = {
  async up(db) {
    await db.schema.alterTable('queue_jobs').addColumn('trace_context', 'text').execute();
  },
};
