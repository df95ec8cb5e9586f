/**
 * Row type of `queue_jobs` (migrations 0004 and 0012) and its conversion to the port's shapes. Integer columns
 * come back as numbers from node:sqlite; `Number()` keeps the mapping honest should a driver return bigint or text.
 */
import type { DeadLetter, Job, JobState, JobStatus, TraceCarrier } from '../port.ts';

/** Stored lifecycle states; "delayed" is a waiting row with a future `run_at`. */
export type StoredJobState = 'waiting' | 'active' | 'completed' | 'failed' | 'cancelled';

/** One job row. */
export interface QueueJobsTable {
  id: string;
  queue: string;
  /** JSON text of the payload. */
  payload: string;
  state: StoredJobState;
  /** Larger runs first. */
  priority: number;
  /** Epoch ms before which the job is not claimed. */
  run_at: number;
  /** Claims so far, including ones lost to an expired lease. */
  attempts: number;
  max_attempts: number;
  backoff_ms: number;
  /** Epoch ms the current lease ends; null unless active. */
  lease_until: number | null;
  /** Random token of the current lease; finishing writes must present it. */
  lease_token: string | null;
  /** 1 once cancel() was called on a running job. */
  cancel_requested: number;
  idempotency_key: string | null;
  concurrency_key: string | null;
  concurrency_limit: number | null;
  /** JSON text of the handler's return value. */
  result: string | null;
  /** Last error message. */
  error: string | null;
  enqueued_at: number;
  finished_at: number | null;
  /** JSON object of the trace propagation entries given at enqueue (migration 0012). */
  trace_context: string | null;
}

/** The tables this adapter adds to the store's schema. */
export type QueueTables = {
  queue_jobs: QueueJobsTable;
};

function parseJson(text: string | null): unknown {
  return text === null ? undefined : JSON.parse(text);
}

/** The port's state for a row at time `now`. */
export function portState(row: Pick<QueueJobsTable, 'state' | 'run_at'>, now: number): JobState {
  if (row.state === 'waiting' && Number(row.run_at) > now) return 'delayed';
  return row.state;
}

/** The stored text of a trace carrier; null when there is nothing to carry. */
export function toTraceText(carrier: TraceCarrier | undefined): string | null {
  return carrier === undefined || Object.keys(carrier).length === 0 ? null : JSON.stringify(carrier);
}

/**
 * The trace carrier of a row. Tracing is best-effort: an unreadable value (hand-edited row) means "no context"
 * rather than a job that can never run.
 */
function traceCarrier(text: string | null): TraceCarrier | undefined {
  if (text === null) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const entries = Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
    return entries.length === 0 ? undefined : Object.freeze(Object.fromEntries(entries));
  } catch {
    return undefined;
  }
}

/** The job as a handler sees it. */
export function toJob<P>(row: QueueJobsTable): Job<P> {
  const traceContext = traceCarrier(row.trace_context);
  return Object.freeze({
    id: row.id,
    queue: row.queue,
    payload: parseJson(row.payload) as P,
    attempt: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    enqueuedAt: Number(row.enqueued_at),
    ...(traceContext === undefined ? {} : { traceContext }),
  });
}

/** The job's status as `status()` reports it. */
export function toStatus<R>(row: QueueJobsTable, now: number): JobStatus<R> {
  return {
    id: row.id,
    state: portState(row, now),
    attempts: Number(row.attempts),
    ...(row.result === null ? {} : { result: parseJson(row.result) as R }),
    ...(row.error === null ? {} : { error: row.error }),
  };
}

/** A dead-lettered row as `deadLetters()` reports it. */
export function toDeadLetter(row: QueueJobsTable): DeadLetter {
  return {
    id: row.id,
    queue: row.queue,
    payload: parseJson(row.payload),
    attempts: Number(row.attempts),
    error: row.error ?? '',
    failedAt: Number(row.finished_at ?? 0),
  };
}

/** Serialises a payload or result; `undefined` becomes null so every value round-trips through JSON. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value ?? null);
}
