/**
 * Defaults and arithmetic both queue adapters share, so that "default 3 attempts", "backoff doubles" and
 * "a key alone means limit 1" cannot drift apart between the embedded and the distributed queue.
 */
import type { EnqueueOptions, WorkerOptions } from './port.ts';

/** Attempts before dead-lettering when the caller sets none. */
export const DEFAULT_MAX_ATTEMPTS = 3;
/** Base retry delay in ms when the caller sets none. */
export const DEFAULT_BACKOFF_MS = 1000;
/** Lease length in ms when a worker sets none. */
export const DEFAULT_LEASE_MS = 30_000;
/** How long `close()` waits for running handlers before aborting them, when the caller gives no grace. */
export const DEFAULT_GRACE_MS = 10_000;
/**
 * After aborting handlers on close, how long to wait for them to notice. A handler that ignores its signal
 * past this point is abandoned: its lease lapses and another worker receives the job, as after a crash.
 */
export const ABORT_SETTLE_MS = 1000;
/** Why a handler's signal aborted. */
export type AbortCause = 'cancelled' | 'shutdown' | 'lease-lost';

/**
 * The `reason` of an aborted handler signal. Named `AbortError` so code that treats any abort alike keeps
 * working; `abortCause` tells a cancellation from a shutdown (the job runs again later) or a lost lease.
 */
export class JobAbortError extends Error {
  /** Why the job was aborted. */
  readonly abortCause: AbortCause;
  constructor(abortCause: AbortCause) {
    super(
      abortCause === 'cancelled'
        ? 'job cancelled'
        : abortCause === 'shutdown'
          ? 'worker shutting down'
          : 'job lease lost to another worker',
    );
    this.name = 'AbortError';
    this.abortCause = abortCause;
  }
}

/** True when `signal` was aborted with a {@link JobAbortError} of the given cause. */
export function abortedFor(signal: AbortSignal, cause: AbortCause): boolean {
  return signal.aborted && signal.reason instanceof JobAbortError && signal.reason.abortCause === cause;
}

/** Enqueue options with every default applied. */
export interface ResolvedEnqueueOptions {
  readonly idempotencyKey: string | undefined;
  readonly priority: number;
  readonly delayMs: number;
  readonly maxAttempts: number;
  readonly backoffMs: number;
  readonly concurrencyKey: string | undefined;
  /** Undefined exactly when `concurrencyKey` is. */
  readonly concurrencyLimit: number | undefined;
}

function nonNegativeInteger(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a finite number >= 0`);
  return Math.floor(value);
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 1) throw new RangeError(`${name} must be a finite number >= 1`);
  return Math.floor(value);
}

/** Applies defaults and rejects values no adapter can honour (negative delays, zero attempts). */
export function resolveEnqueueOptions(options: EnqueueOptions = {}): ResolvedEnqueueOptions {
  const priority = options.priority ?? 0;
  if (!Number.isInteger(priority)) throw new RangeError('priority must be an integer');
  const concurrencyKey = options.concurrencyKey;
  return {
    idempotencyKey: options.idempotencyKey,
    priority,
    delayMs: nonNegativeInteger('delayMs', options.delayMs ?? 0),
    maxAttempts: positiveInteger('maxAttempts', options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS),
    backoffMs: nonNegativeInteger('backoffMs', options.backoffMs ?? DEFAULT_BACKOFF_MS),
    concurrencyKey,
    concurrencyLimit:
      concurrencyKey === undefined ? undefined : positiveInteger('concurrencyLimit', options.concurrencyLimit ?? 1),
  };
}

/** Worker options with defaults applied. */
export interface ResolvedWorkerOptions {
  readonly concurrency: number;
  readonly leaseMs: number;
}

/** Applies worker defaults; a lease under 100 ms cannot be renewed reliably and is refused. */
export function resolveWorkerOptions(options: WorkerOptions): ResolvedWorkerOptions {
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  if (!Number.isFinite(leaseMs) || leaseMs < 100) throw new RangeError('leaseMs must be at least 100');
  return { concurrency: positiveInteger('concurrency', options.concurrency), leaseMs: Math.floor(leaseMs) };
}

/** Delay before the retry that follows failed attempt number `attempt` (1-based): `backoffMs · 2^(attempt-1)`. */
export function retryDelayMs(backoffMs: number, attempt: number): number {
  return Math.round(backoffMs * 2 ** Math.max(0, attempt - 1));
}

/** The text stored as a job's error. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message === '' ? error.name : error.message;
  return String(error);
}

/** Resolves after `ms`; the timer does not hold the process open. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    setTimeout(resolve, ms).unref();
  });
}

/** True when `promise` settles within `ms`. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
