/**
 * Distributed queue adapter on BullMQ (Redis). How the port maps onto BullMQ:
 *
 * - Idempotency: the job id is `<queue>.<sha256(key)>` (see jobIds.ts); BullMQ adds a job at most once per id,
 *   and a nonce in the job data tells whether this call created it.
 * - Priority: BullMQ runs lower numbers first, so port priority p becomes 2^20 − p, clamped to BullMQ's
 *   1 … 2^21−1 (port priorities beyond ±2^20 share the extreme rank). Every job is prioritized, so order is
 *   uniform; ties run FIFO.
 * - Retries: `attempts` + exponential backoff (`backoffMs · 2^(attempt-1)`, BullMQ's formula). After the last
 *   attempt the job stays in BullMQ's failed set: that set is the dead-letter list.
 * - Leases: `lockDuration` = leaseMs (BullMQ renews it at half-time); the stalled checker redelivers jobs of
 *   dead workers. Concurrency keys, cancellation and attempt counting: see bullmqWorker.ts.
 * - Retention: completed jobs are removed 24 h after completion (evaluated when later jobs complete), and the
 *   idempotency key holds until then; cancelled jobs are removed at once and leave a 24 h marker that keeps
 *   status() and idempotency answering. Dead letters stay until retried.
 * - stats.oldestAgeMs is measured from enqueue time plus initial delay over the next 1000 jobs of each ready
 *   structure, so a retried job counts from its original enqueue (the embedded queue counts from its retry).
 */
import { randomUUID } from 'node:crypto';
import { Job as BullJob, Queue as BullQueue, PRIORITY_LIMIT } from 'bullmq';
import { Redis } from 'ioredis';
import { errorText, JobAbortError, resolveEnqueueOptions, resolveWorkerOptions } from '../jobOptions.ts';
import type {
  DeadLetter,
  EnqueueOptions,
  EnqueueResult,
  JobHandler,
  JobState,
  JobStatus,
  Queue,
  QueueStats,
  Worker,
  WorkerOptions,
} from '../port.ts';
import { BullmqWorker, CANCELLED_FAILURE, type Envelope, type WorkerContext } from './bullmqWorker.ts';
import { assertQueueName, jobIdFor, queueOfJobId } from './jobIds.ts';
import { GalleyKeys, oldestReadyAt, releaseSlot } from './redisScripts.ts';

/** Options of the distributed queue. */
export interface BullmqQueueOptions {
  /** Redis URL. */
  readonly url: string;
  /** Key prefix of every BullMQ and adapter key (one per deployment or test). */
  readonly prefix: string;
  /** Receives errors of background work (workers, lock renewal); default: a process warning. */
  readonly onError?: (error: unknown) => void;
}

const RETENTION_MS = 24 * 60 * 60 * 1000;
const PRIORITY_ZERO = 2 ** 20;

function toBullPriority(priority: number): number {
  return Math.min(PRIORITY_LIMIT, Math.max(1, PRIORITY_ZERO - priority));
}

function toPortState(state: string): JobState {
  if (state === 'active' || state === 'delayed' || state === 'completed' || state === 'failed') return state;
  return 'waiting';
}

/** Deliveries so far: failed or finished attempts, stalls, and the current run. */
function attemptsOf(job: BullJob, state: string): number {
  return job.attemptsMade + job.stalledCounter + (state === 'active' ? 1 : 0);
}

interface CancelMarker {
  readonly attempts: number;
}

function warn(error: unknown): void {
  process.emitWarning(error instanceof Error ? error : new Error(String(error)), { code: 'GALLEY_QUEUE' });
}

/** Connects the distributed queue; workers start with `process()`. */
export function createBullmqQueue(options: BullmqQueueOptions): Queue {
  const onError = options.onError ?? warn;
  // BullMQ requires maxRetriesPerRequest: null on connections its workers use.
  const redis = new Redis(options.url, { maxRetriesPerRequest: null });
  redis.on('error', onError);
  const keys = new GalleyKeys(options.prefix);
  const queues = new Map<string, BullQueue>();
  const workers = new Set<Worker>();
  const running = new Map<string, AbortController>();
  let subscriber: Redis | undefined;
  let closing: Promise<void> | undefined;

  const queueFor = (name: string): BullQueue => {
    let queue = queues.get(name);
    if (queue === undefined) {
      assertQueueName(name);
      queue = new BullQueue(name, { connection: redis, prefix: options.prefix });
      queue.on('error', onError);
      queues.set(name, queue);
    }
    return queue;
  };

  const findJob = async (jobId: string): Promise<BullJob<Envelope> | undefined> => {
    const name = queueOfJobId(jobId);
    return name === undefined ? undefined : BullJob.fromId<Envelope>(queueFor(name), jobId);
  };

  /**
   * The job's hash and its state are two reads; a job finishing between them would show "completed" without
   * its result. Reading the state on both sides until they agree gives a consistent snapshot.
   */
  const findJobWithState = async (jobId: string): Promise<{ job: BullJob<Envelope>; state: string } | undefined> => {
    const name = queueOfJobId(jobId);
    if (name === undefined) return undefined;
    const queue = queueFor(name);
    let found: { job: BullJob<Envelope>; state: string } | undefined;
    for (let i = 0; i < 5; i += 1) {
      const before = await queue.getJobState(jobId);
      const job = await BullJob.fromId<Envelope>(queue, jobId);
      if (job === undefined) return undefined;
      found = { job, state: await job.getState() };
      if (found.state === before) break;
    }
    return found;
  };

  const readMarker = async (jobId: string): Promise<CancelMarker | undefined> => {
    const raw = await redis.get(keys.cancel(jobId));
    return raw === null ? undefined : (JSON.parse(raw) as CancelMarker);
  };

  const writeMarker = (jobId: string, marker: CancelMarker) =>
    redis.set(keys.cancel(jobId), JSON.stringify(marker), 'PX', RETENTION_MS);

  const ctx: WorkerContext = {
    redis,
    prefix: options.prefix,
    keys,
    running,
    onError,
    cancelRequested: async (jobId) => (await redis.exists(keys.cancel(jobId))) === 1,
    async promote(jobId) {
      const job = await findJob(jobId);
      if (job === undefined) return false;
      try {
        await job.promote();
        return true;
      } catch {
        return false; // no longer delayed: it already runs, or was cancelled
      }
    },
    async releaseSlot(concurrencyKey, jobId) {
      // Skip parked jobs that vanished (cancelled) so the freed slot is not wasted until the backstop.
      for (let i = 0; i < 10; i += 1) {
        const next = await releaseSlot(redis, keys, concurrencyKey, jobId);
        if (next === undefined || (await ctx.promote(next))) return;
      }
    },
    async finalizeCancelled(job) {
      if (job.id === undefined) return;
      await writeMarker(job.id, { attempts: job.attemptsMade + job.stalledCounter });
      await job.remove();
    },
  };

  const startSubscriber = (): void => {
    if (subscriber !== undefined) return;
    const sub = redis.duplicate();
    subscriber = sub;
    sub.on('error', onError);
    sub.on('message', (_channel: string, jobId: string) => running.get(jobId)?.abort(new JobAbortError('cancelled')));
    sub.subscribe(keys.cancelChannel).catch(onError);
  };

  return {
    async enqueue<P>(queue: string, payload: P, enqueueOptions?: EnqueueOptions): Promise<EnqueueResult> {
      const resolved = resolveEnqueueOptions(enqueueOptions);
      const { traceContext } = enqueueOptions ?? {};
      const bullQueue = queueFor(queue);
      const id = jobIdFor(queue, resolved.idempotencyKey);
      const idempotent = resolved.idempotencyKey !== undefined;
      // A cancelled job is removed but its marker keeps the key taken for the retention period.
      if (idempotent && (await redis.exists(keys.cancel(id))) === 1) return { id, created: false };
      const data: Envelope<P> = {
        payload,
        nonce: randomUUID(),
        ...(resolved.concurrencyKey === undefined
          ? {}
          : { concurrencyKey: resolved.concurrencyKey, concurrencyLimit: resolved.concurrencyLimit }),
        ...(traceContext === undefined || Object.keys(traceContext).length === 0 ? {} : { traceContext }),
      };
      await bullQueue.add(queue, data, {
        jobId: id,
        priority: toBullPriority(resolved.priority),
        ...(resolved.delayMs > 0 ? { delay: resolved.delayMs } : {}),
        attempts: resolved.maxAttempts,
        backoff: { type: 'exponential', delay: resolved.backoffMs },
        removeOnComplete: { age: RETENTION_MS / 1000 },
        removeOnFail: false,
      });
      if (!idempotent) return { id, created: true };
      const stored = await BullJob.fromId<Envelope>(bullQueue, id);
      return { id, created: stored?.data.nonce === data.nonce };
    },

    process<P, R>(queue: string, handler: JobHandler<P, R>, workerOptions: WorkerOptions): Worker {
      assertQueueName(queue);
      startSubscriber();
      const worker: Worker = new BullmqWorker<P, R>(ctx, queue, handler, resolveWorkerOptions(workerOptions), () =>
        workers.delete(worker),
      );
      workers.add(worker);
      return worker;
    },

    async status<R = unknown>(jobId: string): Promise<JobStatus<R> | undefined> {
      const found = await findJobWithState(jobId);
      if (found === undefined) {
        const marker = await readMarker(jobId);
        return marker === undefined ? undefined : { id: jobId, state: 'cancelled', attempts: marker.attempts };
      }
      const { job, state } = found;
      const cancelled = state === 'failed' && job.failedReason === CANCELLED_FAILURE;
      const result: unknown = job.returnvalue;
      return {
        id: jobId,
        state: cancelled ? 'cancelled' : toPortState(state),
        attempts: attemptsOf(job, state),
        ...(state === 'completed' && result !== null && result !== undefined ? { result: result as R } : {}),
        ...(job.failedReason && !cancelled ? { error: job.failedReason } : {}),
      };
    },

    async cancel(jobId: string): Promise<boolean> {
      const job = await findJob(jobId);
      if (job === undefined || job.id === undefined) return false;
      const state = await job.getState();
      if (state === 'completed' || state === 'failed' || state === 'unknown') return false;
      // Marker first: a worker that picks the job up from now on refuses to run it.
      await writeMarker(jobId, { attempts: attemptsOf(job, state) });
      if (state !== 'active') {
        try {
          await job.remove();
          return true;
        } catch {
          // Locked: a worker took it meanwhile; stop it like any running job.
        }
      }
      await redis.publish(keys.cancelChannel, jobId);
      return true;
    },

    async stats(queue: string): Promise<QueueStats> {
      const bullQueue = queueFor(queue);
      const counts = await bullQueue.getJobCounts('wait', 'prioritized', 'delayed', 'active', 'failed');
      const count = (name: string) => counts[name] ?? 0;
      const readyAt = await oldestReadyAt(
        redis,
        bullQueue.toKey('wait'),
        bullQueue.toKey('prioritized'),
        bullQueue.toKey(''),
      );
      return {
        depth: count('wait') + count('prioritized') + count('delayed'),
        active: count('active'),
        deadLettered: count('failed'),
        oldestAgeMs: readyAt === undefined ? 0 : Math.max(0, Date.now() - readyAt),
      };
    },

    async deadLetters(queue: string, limit = 100): Promise<readonly DeadLetter[]> {
      const failed = await queueFor(queue).getFailed(0, Math.max(0, limit - 1));
      return failed
        .filter((job) => job.failedReason !== CANCELLED_FAILURE && job.id !== undefined)
        .map((job) => ({
          id: job.id ?? '',
          queue,
          payload: (job.data as Envelope).payload,
          attempts: job.attemptsMade + job.stalledCounter,
          error: job.failedReason ?? '',
          failedAt: job.finishedOn ?? 0,
        }));
    },

    async retryDeadLetter(jobId: string): Promise<boolean> {
      const job = await findJob(jobId);
      if (job === undefined || (await job.getState()) !== 'failed' || job.failedReason === CANCELLED_FAILURE) {
        return false;
      }
      try {
        // BullMQ keeps the stall count across retries; a retried job starts its attempts afresh.
        await redis.hset(queueFor(job.queueName).toKey(jobId), 'stc', 0);
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        return true;
      } catch (error) {
        onError(new Error(`retrying dead letter ${jobId} failed: ${errorText(error)}`));
        return false;
      }
    },

    async ping(): Promise<void> {
      await redis.ping();
    },

    close(graceMs?: number): Promise<void> {
      closing ??= (async () => {
        await Promise.all([...workers].map((worker) => worker.close(graceMs)));
        await Promise.all([...queues.values()].map((queue) => queue.close()));
        if (subscriber !== undefined) await subscriber.quit();
        await redis.quit();
      })();
      return closing;
    },
  };
}
