/**
 * One embedded worker: claims jobs of one queue up to its concurrency, renews their leases while handlers
 * run, and records each outcome. It wakes three ways: at once when this process enqueues (the notifier), at
 * the earliest delayed job's due time (a timer), and every `pollMs` (jobs enqueued by other processes,
 * leases that expired because their worker died).
 */
import { randomUUID } from 'node:crypto';
import {
  ABORT_SETTLE_MS,
  abortedFor,
  DEFAULT_GRACE_MS,
  errorText,
  JobAbortError,
  type ResolvedWorkerOptions,
  retryDelayMs,
  settlesWithin,
} from '../jobOptions.ts';
import type { JobHandler, Worker } from '../port.ts';
import {
  claimNext,
  finishRun,
  nextRunAt,
  pruneFinished,
  type QueueDb,
  type RunOutcome,
  recoverExpiredLeases,
  renewLease,
} from './jobRepository.ts';
import type { Notifier } from './notifier.ts';
import { type QueueJobsTable, toJob } from './queueJobsTable.ts';

/** Completed and cancelled rows are kept this long for status() and idempotency, then pruned. */
export const FINISHED_RETENTION_MS = 24 * 60 * 60 * 1000;
const PRUNE_EVERY_MS = 60_000;

/** What a worker needs from its adapter. */
export interface SqliteWorkerDeps<P, R> {
  readonly db: QueueDb;
  readonly notifier: Notifier;
  readonly queue: string;
  readonly handler: JobHandler<P, R>;
  readonly options: ResolvedWorkerOptions;
  readonly pollMs: number;
  readonly onError: (error: unknown) => void;
  /** Called once the worker has fully stopped. */
  readonly onClosed: () => void;
}

interface Run {
  readonly row: QueueJobsTable;
  readonly token: string;
  readonly controller: AbortController;
  /** Set when close() gave up on the handler; its outcome is then never written. */
  abandoned: boolean;
  done: Promise<void>;
}

/** A running embedded worker. */
export class SqliteWorker<P, R> implements Worker {
  readonly #deps: SqliteWorkerDeps<P, R>;
  readonly #running = new Map<string, Run>();
  readonly #unsubscribe: Array<() => void> = [];
  #pumping: Promise<void> | undefined;
  #pumpAgain = false;
  #closing: Promise<void> | undefined;
  #pollTimer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;
  #delayTimer: NodeJS.Timeout | undefined;
  #delayAt = Number.POSITIVE_INFINITY;
  #renewTimer: NodeJS.Timeout | undefined;
  #renewing = false;
  #lastPrune = 0;

  constructor(deps: SqliteWorkerDeps<P, R>) {
    this.#deps = deps;
    this.#unsubscribe.push(
      deps.notifier.listen(deps.queue, { wake: (runAt) => this.#wake(runAt) }),
      deps.notifier.onCancel((jobId) => this.#running.get(jobId)?.controller.abort(new JobAbortError('cancelled'))),
    );
    this.#renewTimer = setInterval(() => void this.#renewLeases(), Math.max(50, Math.floor(deps.options.leaseMs / 3)));
    this.#schedulePoll(0);
  }

  #wake(runAt: number): void {
    if (this.#closing !== undefined) return;
    if (runAt <= Date.now()) {
      this.#pump();
      return;
    }
    // Far-off jobs are left to the poll, which re-arms this timer once they are within one poll interval.
    if (runAt >= this.#delayAt || runAt - Date.now() > this.#deps.pollMs) return;
    clearTimeout(this.#delayTimer);
    this.#delayAt = runAt;
    this.#delayTimer = setTimeout(
      () => {
        this.#delayAt = Number.POSITIVE_INFINITY;
        this.#pump();
      },
      Math.max(0, runAt - Date.now()),
    );
  }

  #schedulePoll(ms: number): void {
    this.#pollTimer = setTimeout(() => {
      this.#polling = this.#poll();
    }, ms);
  }

  async #poll(): Promise<void> {
    const { db, queue, notifier, onError } = this.#deps;
    try {
      const now = Date.now();
      for (const recovered of await recoverExpiredLeases(db, now)) notifier.wake(recovered, now);
      if (now - this.#lastPrune >= PRUNE_EVERY_MS) {
        this.#lastPrune = now;
        await pruneFinished(db, now - FINISHED_RETENTION_MS);
      }
      await this.#pump();
      const next = await nextRunAt(db, queue, Date.now());
      if (next !== undefined) this.#wake(next);
    } catch (error) {
      if (this.#closing === undefined) onError(error);
    }
    if (this.#closing === undefined) this.#schedulePoll(this.#deps.pollMs);
  }

  /** Claims until the worker is full or nothing is ready; concurrent calls coalesce into one more round. */
  #pump(): Promise<void> {
    if (this.#pumping !== undefined) {
      this.#pumpAgain = true;
      return this.#pumping;
    }
    this.#pumping = this.#claimLoop()
      .catch((error: unknown) => {
        if (this.#closing === undefined) this.#deps.onError(error);
      })
      .finally(() => {
        this.#pumping = undefined;
      });
    return this.#pumping;
  }

  async #claimLoop(): Promise<void> {
    const { db, queue, options } = this.#deps;
    do {
      this.#pumpAgain = false;
      while (this.#closing === undefined && this.#running.size < options.concurrency) {
        const token = randomUUID();
        const row = await claimNext(db, queue, Date.now(), options.leaseMs, token);
        if (row === undefined) break;
        if (this.#closing !== undefined) {
          // Claimed while close() began: hand it straight back rather than start work we will abort.
          await finishRun(db, row.id, token, { kind: 'released' }, Date.now());
          this.#deps.notifier.wake(queue, Date.now());
          break;
        }
        this.#start(row, token);
      }
    } while (this.#pumpAgain && this.#closing === undefined);
  }

  #start(row: QueueJobsTable, token: string): void {
    const run: Run = { row, token, controller: new AbortController(), abandoned: false, done: Promise.resolve() };
    this.#running.set(row.id, run);
    run.done = this.#execute(run)
      .catch((error: unknown) => this.#deps.onError(error))
      .finally(() => {
        this.#running.delete(row.id);
        if (this.#closing === undefined) void this.#pump();
      });
  }

  async #execute(run: Run): Promise<void> {
    const { db, handler, notifier, queue } = this.#deps;
    const { row, controller } = run;
    let outcome: RunOutcome;
    try {
      const result = await handler(toJob<P>(row), controller.signal);
      // No result and a null result read back alike (absent), as they do from BullMQ.
      outcome = { kind: 'completed', resultJson: result == null ? null : JSON.stringify(result) };
    } catch (error) {
      const attempts = Number(row.attempts);
      if (abortedFor(controller.signal, 'shutdown')) outcome = { kind: 'released' };
      else if (attempts >= Number(row.max_attempts)) outcome = { kind: 'failed', error: errorText(error) };
      else {
        const runAt = Date.now() + retryDelayMs(Number(row.backoff_ms), attempts);
        outcome = { kind: 'retry', error: errorText(error), runAt };
      }
    }
    // An abandoned run's lease lapses on its own; a lost lease belongs to another worker now.
    if (run.abandoned || abortedFor(controller.signal, 'lease-lost')) return;
    await finishRun(db, row.id, run.token, outcome, Date.now());
    if (outcome.kind === 'retry') notifier.wake(queue, outcome.runAt);
    if (outcome.kind === 'released') notifier.wake(queue, Date.now());
  }

  async #renewLeases(): Promise<void> {
    // A slow round (busy database) must not overlap the next tick's.
    if (this.#renewing) return;
    this.#renewing = true;
    try {
      await this.#renewRound();
    } finally {
      this.#renewing = false;
    }
  }

  async #renewRound(): Promise<void> {
    const { db, options, onError } = this.#deps;
    for (const run of this.#running.values()) {
      if (run.abandoned || abortedFor(run.controller.signal, 'lease-lost')) continue;
      try {
        const renewed = await renewLease(db, run.row.id, run.token, Date.now() + options.leaseMs);
        if (renewed === undefined) run.controller.abort(new JobAbortError('lease-lost'));
        else if (renewed.cancelRequested) run.controller.abort(new JobAbortError('cancelled'));
      } catch (error) {
        onError(error);
      }
    }
  }

  /** Stops claiming, waits up to `graceMs` for running handlers, aborts the rest, then stops renewing. */
  close(graceMs: number = DEFAULT_GRACE_MS): Promise<void> {
    this.#closing ??= this.#shutdown(graceMs);
    return this.#closing;
  }

  async #shutdown(graceMs: number): Promise<void> {
    clearTimeout(this.#pollTimer);
    clearTimeout(this.#delayTimer);
    await this.#polling;
    await this.#pumping;
    const allDone = () => Promise.all([...this.#running.values()].map((run) => run.done));
    if (!(await settlesWithin(allDone(), graceMs))) {
      for (const run of this.#running.values()) run.controller.abort(new JobAbortError('shutdown'));
      if (!(await settlesWithin(allDone(), ABORT_SETTLE_MS))) {
        for (const run of this.#running.values()) run.abandoned = true;
      }
    }
    clearInterval(this.#renewTimer);
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#deps.onClosed();
  }
}
