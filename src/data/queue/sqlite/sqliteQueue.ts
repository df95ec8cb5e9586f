/**
 * Embedded queue adapter: a durable lease queue in the SQLite store (`queue_jobs`, migration 0004).
 *
 * - Claiming is one UPDATE … WHERE id = (next ready job) statement; SQLite serializes writers, so two workers
 *   (threads of this process or other processes on the same file) never lease the same job, and the
 *   concurrency-key count is read under the same write lock that takes the job.
 * - Leases are renewed every `leaseMs / 3` while a handler runs. A lease that ends without renewal (the
 *   worker died) is noticed by the next poll of any worker: the job becomes claimable again, its next claim
 *   counts as a new attempt, and a lease lost on the final attempt dead-letters the job.
 * - Latency: an enqueue wakes idle workers of this process at once through the in-process notifier; other
 *   processes notice within `pollMs` (default 250 ms). A timer fires at the earliest delayed job's due time.
 * - Cancelling a running job sets `cancel_requested`; a handler in this process is aborted at once, one in
 *   another process at its next lease renewal. Once requested, the job ends `cancelled` whatever the handler
 *   returns.
 * - Retention: completed and cancelled rows are kept 24 h (status() answers and the idempotency key holds),
 *   then a sweep run by the workers deletes them. Dead-lettered rows stay until retried.
 */

import type { Store } from '../../store/port.ts';
import { resolveEnqueueOptions, resolveWorkerOptions } from '../jobOptions.ts';
import type {
  DeadLetter,
  EnqueueOptions,
  EnqueueResult,
  JobHandler,
  JobStatus,
  Queue,
  QueueStats,
  Worker,
  WorkerOptions,
} from '../port.ts';
import { insertJob, queueDb } from './jobRepository.ts';
import { notifierFor } from './notifier.ts';
import { toDeadLetter, toJsonText, toStatus } from './queueJobsTable.ts';
import { SqliteWorker } from './sqliteWorker.ts';

/** Options of the embedded queue. */
export interface SqliteQueueOptions {
  /** How often idle workers look for jobs from other processes and for expired leases; default 250 ms. */
  readonly pollMs?: number;
  /** Receives errors of background work (polling, lease renewal); default: a process warning. */
  readonly onError?: (error: unknown) => void;
}

const DEFAULT_POLL_MS = 250;

function warn(error: unknown): void {
  process.emitWarning(error instanceof Error ? error : new Error(String(error)), { code: 'GALLEY_QUEUE' });
}

/** Opens the embedded queue over a migrated SQLite store; closing the queue leaves the store open. */
export function createSqliteQueue(store: Store, options: SqliteQueueOptions = {}): Queue {
  const db = queueDb(store);
  const notifier = notifierFor(store);
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const onError = options.onError ?? warn;
  const workers = new Set<Worker>();

  return {
    async enqueue<P>(queue: string, payload: P, enqueueOptions?: EnqueueOptions): Promise<EnqueueResult> {
      const resolved = resolveEnqueueOptions(enqueueOptions);
      const trace = enqueueOptions?.traceContext;
      const { id, created, runAt } = await insertJob(db, queue, toJsonText(payload), resolved, Date.now(), trace);
      if (created) notifier.wake(queue, runAt);
      return { id, created };
    },

    process<P, R>(queue: string, handler: JobHandler<P, R>, workerOptions: WorkerOptions): Worker {
      const worker: Worker = new SqliteWorker<P, R>({
        db,
        notifier,
        queue,
        handler,
        options: resolveWorkerOptions(workerOptions),
        pollMs,
        onError,
        onClosed: () => workers.delete(worker),
      });
      workers.add(worker);
      return worker;
    },

    async status<R = unknown>(jobId: string): Promise<JobStatus<R> | undefined> {
      const row = await db.selectFrom('queue_jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
      return row === undefined ? undefined : toStatus<R>(row, Date.now());
    },

    async cancel(jobId: string): Promise<boolean> {
      const now = Date.now();
      const waiting = await db
        .updateTable('queue_jobs')
        .set({ state: 'cancelled', finished_at: now })
        .where('id', '=', jobId)
        .where('state', '=', 'waiting')
        .executeTakeFirst();
      if (waiting.numUpdatedRows > 0n) return true;
      const running = await db
        .updateTable('queue_jobs')
        .set({ cancel_requested: 1 })
        .where('id', '=', jobId)
        .where('state', '=', 'active')
        .executeTakeFirst();
      if (running.numUpdatedRows === 0n) return false;
      notifier.cancel(jobId);
      return true;
    },

    async stats(queue: string): Promise<QueueStats> {
      const now = Date.now();
      const row = await db
        .selectFrom('queue_jobs')
        .select((eb) => [
          eb.fn.sum<number | null>(eb.case().when('state', '=', 'waiting').then(1).else(0).end()).as('depth'),
          eb.fn.sum<number | null>(eb.case().when('state', '=', 'active').then(1).else(0).end()).as('active'),
          eb.fn.sum<number | null>(eb.case().when('state', '=', 'failed').then(1).else(0).end()).as('dead'),
          eb.fn
            .min<number | null>(
              eb
                .case()
                .when(eb.and([eb('state', '=', 'waiting'), eb('run_at', '<=', now)]))
                .then(eb.ref('run_at'))
                .end(),
            )
            .as('oldest'),
        ])
        .where('queue', '=', queue)
        .where('state', 'in', ['waiting', 'active', 'failed'])
        .executeTakeFirstOrThrow();
      return {
        depth: Number(row.depth ?? 0),
        active: Number(row.active ?? 0),
        deadLettered: Number(row.dead ?? 0),
        oldestAgeMs: row.oldest === null ? 0 : Math.max(0, now - Number(row.oldest)),
      };
    },

    async deadLetters(queue: string, limit = 100): Promise<readonly DeadLetter[]> {
      const rows = await db
        .selectFrom('queue_jobs')
        .selectAll()
        .where('queue', '=', queue)
        .where('state', '=', 'failed')
        .orderBy('finished_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toDeadLetter);
    },

    async retryDeadLetter(jobId: string): Promise<boolean> {
      const now = Date.now();
      const row = await db
        .updateTable('queue_jobs')
        .set({ state: 'waiting', attempts: 0, run_at: now, finished_at: null, error: null, cancel_requested: 0 })
        .where('id', '=', jobId)
        .where('state', '=', 'failed')
        .returning('queue')
        .executeTakeFirst();
      if (row === undefined) return false;
      notifier.wake(row.queue, now);
      return true;
    },

    ping: () => store.ping(),

    async close(graceMs?: number): Promise<void> {
      await Promise.all([...workers].map((worker) => worker.close(graceMs)));
    },
  };
}
