/**
 * The embedded `queue` port's table: one row per job, from enqueue until the retention sweep removes it.
 * Times are epoch milliseconds (bigint) because claiming compares them on every poll. Portable to both
 * dialects, though only the SQLite adapter uses it (the distributed queue lives in Redis through BullMQ).
 *
 * `state` is stored as waiting | active | completed | failed | cancelled; "delayed" is derived (a waiting row
 * whose `run_at` is in the future), so promoting a delayed job needs no write.
 */
import { sql } from 'kysely';
import type { Migration } from './migration.ts';

/** Creates `queue_jobs` and the indexes the claim, sweep and idempotency paths use. */
export const migration: Migration = {
  async up(db) {
    await db.schema
      .createTable('queue_jobs')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('queue', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) =>
        c.notNull().check(sql`state in ('waiting','active','completed','failed','cancelled')`),
      )
      .addColumn('priority', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('run_at', 'bigint', (c) => c.notNull())
      .addColumn('attempts', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('max_attempts', 'bigint', (c) => c.notNull())
      .addColumn('backoff_ms', 'bigint', (c) => c.notNull())
      .addColumn('lease_until', 'bigint')
      .addColumn('lease_token', 'text')
      .addColumn('cancel_requested', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('idempotency_key', 'text')
      .addColumn('concurrency_key', 'text')
      .addColumn('concurrency_limit', 'bigint')
      .addColumn('result', 'text')
      .addColumn('error', 'text')
      .addColumn('enqueued_at', 'bigint', (c) => c.notNull())
      .addColumn('finished_at', 'bigint')
      .execute();
    // Serves "next ready job of a queue": equality on queue and state, then the claim order.
    await db.schema
      .createIndex('queue_jobs_ready_idx')
      .ifNotExists()
      .on('queue_jobs')
      .columns(['queue', 'state', 'priority desc', 'run_at', 'id'])
      .execute();
    // Same key → same job, per queue; NULL keys never collide on either dialect.
    await db.schema
      .createIndex('queue_jobs_idempotency_idx')
      .ifNotExists()
      .unique()
      .on('queue_jobs')
      .columns(['queue', 'idempotency_key'])
      .execute();
    // Lease recovery finds running jobs whose lease ended.
    await db.schema
      .createIndex('queue_jobs_lease_idx')
      .ifNotExists()
      .on('queue_jobs')
      .columns(['state', 'lease_until'])
      .execute();
    // The concurrency-key limit counts running jobs per key at every claim.
    await db.schema
      .createIndex('queue_jobs_concurrency_idx')
      .ifNotExists()
      .on('queue_jobs')
      .columns(['concurrency_key', 'state'])
      .execute();
    // The retention sweep deletes finished rows by age.
    await db.schema
      .createIndex('queue_jobs_finished_idx')
      .ifNotExists()
      .on('queue_jobs')
      .columns(['state', 'finished_at'])
      .execute();
  },
};
