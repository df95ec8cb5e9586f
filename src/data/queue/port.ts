/**
 * The `queue` port: durable background jobs. Adapters: `sqlite/` (a lease queue in the embedded database) and
 * `bullmq/` (BullMQ on Redis).
 *
 * Contract:
 * - `enqueue` with an `idempotencyKey` returns the existing job for that key (same key → same job, `created:
 *   false`) for as long as the job is retained.
 * - Higher `priority` runs first among ready jobs (then FIFO); `delayMs` defers the first attempt.
 * - A failed attempt is retried after exponential backoff (`backoffMs · 2^(attempt-1)`) up to `maxAttempts`,
 *   then moved to the dead-letter list with its last error.
 * - A job is leased to one worker for `leaseMs`; a worker that dies (kill -9) loses the lease and the job is
 *   delivered again. Handlers must therefore be idempotent.
 * - `concurrencyKey` + `concurrencyLimit` cap how many jobs sharing a key run at once across all workers.
 * - `cancel` stops a waiting job, and aborts the `signal` given to a running job's handler.
 * - `stats` reports depth (waiting + delayed) and the age of the oldest waiting job.
 * - Retention: completed and cancelled jobs are kept 24 h (status and idempotency answer meanwhile), then
 *   removed; dead-lettered jobs are kept until retried.
 * - A handler's `signal.reason` is a `JobAbortError` (jobOptions.ts) whose `abortCause` says why: `cancelled`,
 *   `shutdown` (the job is handed back and runs again later without using an attempt) or `lease-lost`.
 * - `traceContext` given at enqueue is stored with the job and handed back unchanged as `Job.traceContext` on
 *   every attempt (retries and dead-letter retries included), so a worker's span can join the producer's trace.
 */

/**
 * Propagation entries of a trace context, as an OpenTelemetry propagator writes them into a carrier (W3C
 * `traceparent`, optionally `tracestate` and `baggage`). Opaque to the queue.
 */
export type TraceCarrier = Readonly<Record<string, string>>;

/** Options for one job. */
export interface EnqueueOptions {
  /** Same key → same job. */
  readonly idempotencyKey?: string;
  /** Larger runs first; default 0. */
  readonly priority?: number;
  /** Milliseconds before the first attempt. */
  readonly delayMs?: number;
  /** Attempts before dead-lettering; default 3. */
  readonly maxAttempts?: number;
  /** Base of the exponential retry delay; default 1000. */
  readonly backoffMs?: number;
  /**
   * Jobs sharing this key are limited to `concurrencyLimit` running at once. The key is global: jobs of every
   * queue that carry it count together (e.g. one key per tenant for a shared upstream).
   */
  readonly concurrencyKey?: string;
  /** Default 1 when a concurrencyKey is given. */
  readonly concurrencyLimit?: number;
  /**
   * Trace context of the enqueuing operation (src/ops/tracing injects it). When the idempotency key matches an
   * existing job, that job keeps the context it was created with.
   */
  readonly traceContext?: TraceCarrier;
}

/** A job as handed to a handler or read back. */
export interface Job<P = unknown> {
  readonly id: string;
  readonly queue: string;
  readonly payload: P;
  /** 1 on the first attempt; counts deliveries, so a redelivery after a lost lease (crash) counts too. */
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly enqueuedAt: number;
  /** The trace context given at enqueue; absent when none was given. */
  readonly traceContext?: TraceCarrier;
}

/** Lifecycle state of a job. */
export type JobState = 'waiting' | 'delayed' | 'active' | 'completed' | 'failed' | 'cancelled';

/** A job's current state and outcome. */
export interface JobStatus<R = unknown> {
  readonly id: string;
  readonly state: JobState;
  readonly attempts: number;
  readonly result?: R;
  readonly error?: string;
}

/** What enqueue returns. */
export interface EnqueueResult {
  readonly id: string;
  /** False when the idempotency key matched an existing job. */
  readonly created: boolean;
}

/** Runs one job; the signal aborts on cancellation, lease loss or shutdown. The return value is stored. */
export type JobHandler<P = unknown, R = unknown> = (job: Job<P>, signal: AbortSignal) => Promise<R>;

/** Options for a worker. */
export interface WorkerOptions {
  /** Jobs this process runs at once for the queue. */
  readonly concurrency: number;
  /** Lease length in ms; the adapter renews it while the handler runs. Default 30 000. */
  readonly leaseMs?: number;
}

/** Depth and age readings of one queue. */
export interface QueueStats {
  /** Waiting + delayed jobs. */
  readonly depth: number;
  readonly active: number;
  readonly deadLettered: number;
  /** Age in ms of the oldest job ready to run; 0 when none. */
  readonly oldestAgeMs: number;
}

/** A dead-lettered job. */
export interface DeadLetter {
  readonly id: string;
  readonly queue: string;
  readonly payload: unknown;
  readonly attempts: number;
  readonly error: string;
  readonly failedAt: number;
}

/** A running worker. */
export interface Worker {
  /**
   * Stops taking jobs and waits (up to `graceMs`, default 10 s) for running ones, then aborts them. A handler
   * that still has not settled a second later is abandoned: its lease lapses and the job is delivered again.
   */
  close(graceMs?: number): Promise<void>;
}

/** The queue port. */
export interface Queue {
  enqueue<P>(queue: string, payload: P, options?: EnqueueOptions): Promise<EnqueueResult>;
  /** Starts processing `queue` in this process. */
  process<P, R>(queue: string, handler: JobHandler<P, R>, options: WorkerOptions): Worker;
  status<R = unknown>(jobId: string): Promise<JobStatus<R> | undefined>;
  /**
   * Cancels a waiting, delayed or running job; true when it was not yet finished. A running job whose
   * cancellation was requested ends `cancelled` whatever its handler then returns.
   */
  cancel(jobId: string): Promise<boolean>;
  stats(queue: string): Promise<QueueStats>;
  deadLetters(queue: string, limit?: number): Promise<readonly DeadLetter[]>;
  /** Puts a dead-lettered job back in line with fresh attempts. */
  retryDeadLetter(jobId: string): Promise<boolean>;
  ping(): Promise<void>;
  /** Closes every worker (draining up to graceMs) and connections. */
  close(graceMs?: number): Promise<void>;
}
