/**
 * One distributed worker: a BullMQ Worker whose processor adds what the port promises on top of BullMQ.
 *
 * - Attempt numbers count deliveries: BullMQ's failed attempts plus stalls (a worker that died mid-job), so a
 *   crash uses up an attempt as it does in the embedded queue; a stall past the last attempt dead-letters.
 * - Concurrency keys: before running, the job takes a slot of its key's Redis semaphore; when none is free it
 *   moves itself back to delayed (`moveToDelayed` + `DelayedError`, BullMQ's pattern for this) and parks, and
 *   the job that frees a slot promotes the longest-parked one. A backstop delay re-runs parked jobs whose
 *   promotion was lost (e.g. the releasing worker died).
 * - Cancellation: a Redis marker plus a pub/sub message abort the handler's signal at once; the marker is
 *   also checked at start and every `leaseMs / 3`, in case the message was missed.
 * - Shutdown: handlers aborted by close() hand their job back to the wait list without using an attempt;
 *   handlers that ignore the abort are abandoned with their lock, which lapses so another worker redelivers.
 */
import type { Job as BullJob } from 'bullmq';
import { Worker as BullWorker, DelayedError, UnrecoverableError, WaitingError } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  ABORT_SETTLE_MS,
  abortedFor,
  DEFAULT_GRACE_MS,
  errorText,
  JobAbortError,
  type ResolvedWorkerOptions,
  settlesWithin,
} from '../jobOptions.ts';
import type { JobHandler, TraceCarrier, Worker } from '../port.ts';
import { acquireSlot, type GalleyKeys, parkForSlot, renewSlot } from './redisScripts.ts';

/** What a job's BullMQ data holds: the payload plus the adapter's per-job settings. */
export interface Envelope<P = unknown> {
  readonly payload: P;
  /** Random per enqueue call; tells a freshly added job from an existing one with the same id. */
  readonly nonce: string;
  readonly concurrencyKey?: string;
  readonly concurrencyLimit?: number;
  /** The trace context given at enqueue. */
  readonly traceContext?: TraceCarrier;
}

/** The envelope's trace carrier when it is a string map (jobs are JSON from Redis; anything else is ignored). */
function traceCarrierOf(envelope: Envelope): TraceCarrier | undefined {
  const value: unknown = envelope.traceContext;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
  return entries.length === 0 ? undefined : Object.freeze(Object.fromEntries(entries));
}

/** failedReason of a job that failed because it was cancelled (it is then removed, leaving the marker). */
export const CANCELLED_FAILURE = 'galley:cancelled';

/** What workers share with their adapter instance. */
export interface WorkerContext {
  readonly redis: Redis;
  readonly prefix: string;
  readonly keys: GalleyKeys;
  /** Jobs running in this adapter instance; cancellation messages abort them. */
  readonly running: Map<string, AbortController>;
  readonly onError: (error: unknown) => void;
  cancelRequested(jobId: string): Promise<boolean>;
  /** Promotes a delayed job; false when it is gone or no longer delayed. */
  promote(jobId: string): Promise<boolean>;
  /** Frees a concurrency slot and promotes the next parked job. */
  releaseSlot(concurrencyKey: string, jobId: string): Promise<void>;
  /** Turns a job that failed with CANCELLED_FAILURE into a cancelled record. */
  finalizeCancelled(job: BullJob): Promise<void>;
}

type Outcome<R> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: unknown };

/** A running distributed worker for one queue. */
export class BullmqWorker<P, R> implements Worker {
  readonly #ctx: WorkerContext;
  readonly #handler: JobHandler<P, R>;
  readonly #options: ResolvedWorkerOptions;
  readonly #worker: BullWorker<Envelope<P>, R>;
  readonly #abandon = new Map<string, () => void>();
  readonly #onClosed: () => void;
  #closing: Promise<void> | undefined;

  constructor(
    ctx: WorkerContext,
    queue: string,
    handler: JobHandler<P, R>,
    options: ResolvedWorkerOptions,
    onClosed: () => void,
  ) {
    this.#ctx = ctx;
    this.#handler = handler;
    this.#options = options;
    this.#onClosed = onClosed;
    this.#worker = new BullWorker<Envelope<P>, R>(queue, (job, token) => this.#process(job, token), {
      connection: ctx.redis,
      prefix: ctx.prefix,
      concurrency: options.concurrency,
      lockDuration: options.leaseMs,
      // Checking as often as a lease lasts bounds redelivery after a crash to about two lease lengths.
      stalledInterval: options.leaseMs,
      // Stalls count as attempts in #process; BullMQ's own stall limit would fail jobs with attempts left.
      maxStalledCount: 1_000_000,
    });
    this.#worker.on('error', ctx.onError);
    this.#worker.on('lockRenewalFailed', (jobIds) => {
      for (const id of jobIds) ctx.running.get(id)?.abort(new JobAbortError('lease-lost'));
    });
    this.#worker.on('failed', (job, error) => {
      if (job !== undefined && error.message === CANCELLED_FAILURE) ctx.finalizeCancelled(job).catch(ctx.onError);
    });
  }

  async #process(bullJob: BullJob<Envelope<P>, R>, token: string | undefined): Promise<R> {
    const ctx = this.#ctx;
    const id = bullJob.id;
    if (id === undefined || token === undefined) throw new UnrecoverableError('job without id or lock token');
    const maxAttempts = bullJob.opts.attempts ?? 1;
    const attempt = bullJob.attemptsMade + bullJob.stalledCounter + 1;
    if (await ctx.cancelRequested(id)) throw new UnrecoverableError(CANCELLED_FAILURE);
    if (attempt > maxAttempts) throw new UnrecoverableError('lease expired on the final attempt');
    const { concurrencyKey, concurrencyLimit = 1 } = bullJob.data;
    if (concurrencyKey !== undefined) {
      const { redis, keys } = ctx;
      if (!(await acquireSlot(redis, keys, concurrencyKey, id, concurrencyLimit, this.#options.leaseMs))) {
        const backstopMs = Math.min(Math.max(this.#options.leaseMs, 1000), 5000);
        await bullJob.moveToDelayed(Date.now() + backstopMs, token);
        if ((await parkForSlot(redis, keys, concurrencyKey, id, concurrencyLimit)) === 'free') await ctx.promote(id);
        throw new DelayedError();
      }
    }

    const controller = new AbortController();
    const abandoned = new Promise<'abandoned'>((resolve) => this.#abandon.set(id, () => resolve('abandoned')));
    ctx.running.set(id, controller);
    const watch = setInterval(() => void this.#watch(id, concurrencyKey, controller), this.#options.leaseMs / 3);
    let outcome: Outcome<R> | 'abandoned' = 'abandoned';
    try {
      const traceContext = traceCarrierOf(bullJob.data);
      const job = Object.freeze({
        id,
        queue: bullJob.queueName,
        payload: bullJob.data.payload,
        attempt,
        maxAttempts,
        enqueuedAt: bullJob.timestamp,
        ...(traceContext === undefined ? {} : { traceContext }),
      });
      // Through an async function so a handler that throws synchronously still counts as a failed attempt.
      const handled = (async () => this.#handler(job, controller.signal))().then(
        (value): Outcome<R> => ({ ok: true, value }),
        (error: unknown): Outcome<R> => ({ ok: false, error }),
      );
      outcome = await Promise.race([handled, abandoned]);
    } finally {
      clearInterval(watch);
      ctx.running.delete(id);
      this.#abandon.delete(id);
      // An abandoned handler may still be running: its slot stays taken until the lease would end.
      if (concurrencyKey !== undefined && outcome !== 'abandoned') {
        // A failed release must not fail the job: the slot then frees itself when its lease would end.
        await ctx.releaseSlot(concurrencyKey, id).catch(ctx.onError);
      }
    }
    // Leaves the job active without touching it: the lock lapses and the stalled checker redelivers it.
    if (outcome === 'abandoned') throw new WaitingError();
    if (await ctx.cancelRequested(id)) throw new UnrecoverableError(CANCELLED_FAILURE);
    if (outcome.ok) return outcome.value;
    if (abortedFor(controller.signal, 'shutdown')) {
      await bullJob.moveToWait(token);
      throw new WaitingError();
    }
    const message = errorText(outcome.error);
    if (attempt >= maxAttempts) throw new UnrecoverableError(message);
    // A fresh Error: a handler's error named like BullMQ's control errors must not steer the worker.
    const failure = new Error(message);
    if (outcome.error instanceof Error && outcome.error.stack !== undefined) failure.stack = outcome.error.stack;
    throw failure;
  }

  async #watch(id: string, concurrencyKey: string | undefined, controller: AbortController): Promise<void> {
    const ctx = this.#ctx;
    try {
      if (concurrencyKey !== undefined) await renewSlot(ctx.redis, ctx.keys, concurrencyKey, id, this.#options.leaseMs);
      if (await ctx.cancelRequested(id)) controller.abort(new JobAbortError('cancelled'));
    } catch (error) {
      ctx.onError(error);
    }
  }

  /** Stops fetching, waits up to `graceMs` for handlers, aborts them, and abandons any that ignore the abort. */
  close(graceMs: number = DEFAULT_GRACE_MS): Promise<void> {
    this.#closing ??= this.#shutdown(graceMs).finally(this.#onClosed);
    return this.#closing;
  }

  async #shutdown(graceMs: number): Promise<void> {
    const graceful = this.#worker.close(false);
    if (await settlesWithin(graceful, graceMs)) return graceful;
    for (const id of this.#abandon.keys()) this.#ctx.running.get(id)?.abort(new JobAbortError('shutdown'));
    if (await settlesWithin(graceful, ABORT_SETTLE_MS)) return graceful;
    for (const abandon of this.#abandon.values()) abandon();
    return graceful;
  }
}
