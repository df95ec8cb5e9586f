/**
 * Completion notices of AI jobs across processes: the worker that finishes a job publishes its id on the kv
 * channel `ai:jobs`; each process holds one subscription and wakes the requests (server-sent events, evals)
 * waiting for that id. Waiters also poll the queue now and then, so a notice lost with a dropped connection
 * only delays them.
 */
import type { Kv } from '../../data/kv/port.ts';
import type { JobState, JobStatus, Queue } from '../../data/queue/port.ts';

/** The kv channel of job completion notices. */
export const AI_JOBS_CHANNEL = 'ai:jobs';

/** The per-process hub. */
export interface JobCompletions {
  /** Tells every process that `jobId` finished. */
  announce(jobId: string): Promise<void>;
  /**
   * Resolves when `jobId` is announced, `check` reports it finished (polled every `pollMs`), `timeoutMs`
   * passes (false) or `signal` aborts (false).
   */
  wait(jobId: string, check: () => Promise<boolean>, options: WaitOptions): Promise<boolean>;
  close(): Promise<void>;
}

/** Options of one wait. */
export interface WaitOptions {
  readonly timeoutMs: number;
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
}

/** Subscribes once on `kv` and returns the hub. */
export async function openJobCompletions(kv: Kv): Promise<JobCompletions> {
  const waiters = new Map<string, Set<() => void>>();
  const unsubscribe = await kv.subscribe(AI_JOBS_CHANNEL, (jobId) => {
    for (const wake of waiters.get(jobId) ?? []) wake();
  });
  return {
    announce: (jobId) => kv.publish(AI_JOBS_CHANNEL, jobId),
    async wait(jobId, check, { timeoutMs, pollMs = 1000, signal }) {
      if (await check()) return true;
      return new Promise<boolean>((resolve) => {
        let done = false;
        const set = waiters.get(jobId) ?? new Set();
        waiters.set(jobId, set);
        const finish = (value: boolean) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          clearInterval(poller);
          set.delete(waker);
          if (set.size === 0) waiters.delete(jobId);
          signal?.removeEventListener('abort', onAbort);
          resolve(value);
        };
        // The worker announces just before the queue records the outcome (the handler has not returned yet):
        // confirm, and re-check a few times shortly after rather than waiting for the next poll.
        const wake = (retries = 4, delayMs = 5) => {
          check().then(
            (finished) => {
              if (finished) finish(true);
              else if (retries > 0 && !done) setTimeout(() => wake(retries - 1, delayMs * 3), delayMs);
            },
            () => undefined,
          );
        };
        const onAbort = () => finish(false);
        const waker = () => wake();
        set.add(waker);
        signal?.addEventListener('abort', onAbort, { once: true });
        const timer = setTimeout(() => finish(false), timeoutMs);
        const poller = setInterval(() => {
          check().then(
            (finished) => finished && finish(true),
            () => undefined,
          );
        }, pollMs);
      });
    },
    async close() {
      await unsubscribe();
    },
  };
}

/** Final states of a queued job. */
const FINAL_STATES: ReadonlySet<JobState> = new Set<JobState>(['completed', 'failed', 'cancelled']);

/**
 * Waits (completion notices first, the queue's status as a backstop every `pollMs`) until `jobId` reaches a final
 * state or `timeoutMs` passes; resolves with its status then (possibly still unfinished after a timeout).
 */
export async function waitForJob<R>(
  queue: Queue,
  completions: JobCompletions,
  jobId: string,
  options: WaitOptions,
): Promise<JobStatus<R> | undefined> {
  const finished = async () => {
    const status = await queue.status(jobId);
    return status !== undefined && FINAL_STATES.has(status.state);
  };
  await completions.wait(jobId, finished, options);
  return queue.status<R>(jobId);
}
