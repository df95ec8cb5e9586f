/**
 * Every SQL statement of the embedded queue. Each state change is a single statement, so it is atomic on its
 * own: SQLite takes the write lock when a writing statement starts, which serializes claims across
 * connections and processes without an explicit `BEGIN IMMEDIATE`. Finishing writes present the lease token,
 * so a worker whose lease expired (and whose job another worker re-claimed) cannot overwrite the new run.
 */
import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Store } from '../../store/port.ts';
import type { Database } from '../../store/schema.ts';
import type { ResolvedEnqueueOptions } from '../jobOptions.ts';
import type { TraceCarrier } from '../port.ts';
import { type QueueJobsTable, type QueueTables, type StoredJobState, toTraceText } from './queueJobsTable.ts';

/** The store's query builder widened with the queue table. */
export type QueueDb = Kysely<Database & QueueTables>;

let lastIdMs = 0;
let idSequence = 0;

/** Time-ordered id (ms timestamp, per-ms sequence, randomness): ties on `run_at` still break in enqueue order. */
export function newJobId(now: number = Date.now()): string {
  if (now === lastIdMs) idSequence += 1;
  else {
    lastIdMs = now;
    idSequence = 0;
  }
  const time = now.toString(16).padStart(12, '0');
  const sequence = (idSequence & 0xffff).toString(16).padStart(4, '0');
  return `${time}${sequence}${randomBytes(8).toString('hex')}`;
}

/** The typed query builder over `store`, refusing stores this adapter cannot serialize claims on. */
export function queueDb(store: Store): QueueDb {
  if (store.dialect !== 'sqlite') {
    throw new Error('the SQLite queue needs a SQLite store; distributed deployments use the BullMQ queue');
  }
  return store.db.withTables<QueueTables>();
}

/** Inserts a job unless its idempotency key exists; returns the id and whether this call created it. */
export async function insertJob(
  db: QueueDb,
  queue: string,
  payloadJson: string,
  options: ResolvedEnqueueOptions,
  now: number,
  traceContext?: TraceCarrier,
): Promise<{ id: string; created: boolean; runAt: number }> {
  const runAt = now + options.delayMs;
  const inserted = await db
    .insertInto('queue_jobs')
    .values({
      id: newJobId(now),
      queue,
      payload: payloadJson,
      state: 'waiting',
      priority: options.priority,
      run_at: runAt,
      attempts: 0,
      max_attempts: options.maxAttempts,
      backoff_ms: options.backoffMs,
      cancel_requested: 0,
      idempotency_key: options.idempotencyKey ?? null,
      concurrency_key: options.concurrencyKey ?? null,
      concurrency_limit: options.concurrencyLimit ?? null,
      enqueued_at: now,
      trace_context: toTraceText(traceContext),
    })
    .onConflict((oc) => oc.columns(['queue', 'idempotency_key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted !== undefined) return { id: inserted.id, created: true, runAt };
  const existing = await db
    .selectFrom('queue_jobs')
    .select(['id', 'run_at'])
    .where('queue', '=', queue)
    .where('idempotency_key', '=', options.idempotencyKey ?? null)
    .executeTakeFirstOrThrow();
  return { id: existing.id, created: false, runAt: Number(existing.run_at) };
}

/**
 * Leases the next ready job of `queue` (priority desc, run_at, id) whose concurrency key is below its limit,
 * counting attempts at the claim so that a crash mid-run uses one up.
 */
export async function claimNext(
  db: QueueDb,
  queue: string,
  now: number,
  leaseMs: number,
  token: string,
): Promise<QueueJobsTable | undefined> {
  return db
    .updateTable('queue_jobs')
    .set((eb) => ({
      state: 'active',
      attempts: eb('attempts', '+', 1),
      lease_until: now + leaseMs,
      lease_token: token,
    }))
    .where((eb) =>
      eb(
        'id',
        '=',
        eb
          .selectFrom('queue_jobs as j')
          .select('j.id')
          .where('j.queue', '=', queue)
          .where('j.state', '=', 'waiting')
          .where('j.run_at', '<=', now)
          .where((w) =>
            w.or([
              w('j.concurrency_key', 'is', null),
              w(
                w
                  .selectFrom('queue_jobs as a')
                  .select((s) => s.fn.countAll<number>().as('running'))
                  .whereRef('a.concurrency_key', '=', 'j.concurrency_key')
                  .where('a.state', '=', 'active'),
                '<',
                w.ref('j.concurrency_limit'),
              ),
            ]),
          )
          .orderBy('j.priority', 'desc')
          .orderBy('j.run_at')
          .orderBy('j.id')
          .limit(1),
      ),
    )
    .where('state', '=', 'waiting')
    .returningAll()
    .executeTakeFirst();
}

/** Extends a held lease; undefined when the lease was lost, else whether cancellation was requested. */
export async function renewLease(
  db: QueueDb,
  id: string,
  token: string,
  leaseUntil: number,
): Promise<{ cancelRequested: boolean } | undefined> {
  const row = await db
    .updateTable('queue_jobs')
    .set({ lease_until: leaseUntil })
    .where('id', '=', id)
    .where('lease_token', '=', token)
    .where('state', '=', 'active')
    .returning('cancel_requested')
    .executeTakeFirst();
  return row === undefined ? undefined : { cancelRequested: Number(row.cancel_requested) === 1 };
}

/** How a leased run ended, as the worker decided it. */
export type RunOutcome =
  | { readonly kind: 'completed'; readonly resultJson: string | null }
  | { readonly kind: 'retry'; readonly error: string; readonly runAt: number }
  | { readonly kind: 'failed'; readonly error: string }
  | { readonly kind: 'released' };

/**
 * Records the end of a leased run. A cancellation requested meanwhile wins over every outcome, so a job that
 * cancel() reported as stopped never completes, retries or dead-letters afterwards. Returns false when the
 * lease was no longer held (nothing written).
 */
export async function finishRun(
  db: QueueDb,
  id: string,
  token: string,
  outcome: RunOutcome,
  now: number,
): Promise<boolean> {
  // One statement, so a cancel() landing between "decide" and "write" cannot be lost.
  const ifCancelled = <T>(cancelledValue: T, otherwise: T) =>
    sql<T>`case when cancel_requested = 1 then ${cancelledValue} else ${otherwise} end`;
  const finishedAt = outcome.kind === 'completed' || outcome.kind === 'failed' ? now : null;
  const state = outcome.kind === 'retry' || outcome.kind === 'released' ? 'waiting' : outcome.kind;
  const done = await db
    .updateTable('queue_jobs')
    .set((eb) => ({
      state: ifCancelled<StoredJobState>('cancelled', state),
      finished_at: ifCancelled<number | null>(now, finishedAt),
      lease_until: null,
      lease_token: null,
      ...(outcome.kind === 'completed' ? { result: ifCancelled<string | null>(null, outcome.resultJson) } : {}),
      ...(outcome.kind === 'retry' || outcome.kind === 'failed' ? { error: outcome.error } : {}),
      ...(outcome.kind === 'retry' ? { run_at: outcome.runAt } : {}),
      // A shutdown is not the job's fault: hand the attempt back.
      ...(outcome.kind === 'released' ? { run_at: now, attempts: eb('attempts', '-', 1) } : {}),
    }))
    .where('id', '=', id)
    .where('lease_token', '=', token)
    .where('state', '=', 'active')
    .executeTakeFirst();
  return done.numUpdatedRows > 0n;
}

/**
 * Returns jobs whose lease ended (their worker died or stalled) to the line, or dead-letters them when that
 * claim was their last attempt. Returns the queues that received claimable jobs.
 */
export async function recoverExpiredLeases(db: QueueDb, now: number): Promise<readonly string[]> {
  // A read first: every idle worker calls this each poll, and the common answer is "none".
  const any = await db
    .selectFrom('queue_jobs')
    .select('id')
    .where('state', '=', 'active')
    .where('lease_until', '<', now)
    .limit(1)
    .executeTakeFirst();
  if (any === undefined) return [];
  const expired = db
    .updateTable('queue_jobs')
    .where('state', '=', 'active')
    .where('lease_until', '<', now)
    .set({ lease_until: null, lease_token: null });
  await expired
    .set({ state: 'cancelled', finished_at: now, error: 'lease expired after cancellation' })
    .where('cancel_requested', '=', 1)
    .execute();
  await expired
    .set({ state: 'failed', finished_at: now, error: 'lease expired on the final attempt' })
    .whereRef('attempts', '>=', 'max_attempts')
    .execute();
  const requeued = await expired
    .set({ state: 'waiting', run_at: now, error: 'lease expired' })
    .returning('queue')
    .execute();
  return [...new Set(requeued.map((r) => r.queue))];
}

/** Earliest future `run_at` among waiting jobs of `queue`, if any. */
export async function nextRunAt(db: QueueDb, queue: string, now: number): Promise<number | undefined> {
  const row = await db
    .selectFrom('queue_jobs')
    .select((eb) => eb.fn.min('run_at').as('next'))
    .where('queue', '=', queue)
    .where('state', '=', 'waiting')
    .where('run_at', '>', now)
    .executeTakeFirst();
  return row?.next == null ? undefined : Number(row.next);
}

/** Deletes completed and cancelled rows that finished before `cutoff`; dead letters stay until retried. */
export async function pruneFinished(db: QueueDb, cutoff: number): Promise<void> {
  await db
    .deleteFrom('queue_jobs')
    .where('state', 'in', ['completed', 'cancelled'])
    .where('finished_at', '<', cutoff)
    .execute();
}
