/**
 * The worker role: starts a processor for every job kind the domain registers, and every background loop. Each
 * job registration names its queue, its handler and how many jobs one process runs at once; handlers are
 * idempotent (a crashed worker's job is delivered again).
 */
import type { Config } from '../config/config.ts';
import { SCHEDULED_PUBLISH_JOB } from '../content/entries/publishJob.ts';
import { WEBHOOK_DELIVERY_JOB, WEBHOOK_DISPATCH_LOOP } from '../content/webhooks/workerRegistration.ts';
import type { DataPlane } from '../data/dataPlane.ts';
import type { JobHandler, Worker } from '../data/queue/port.ts';
import { AI_CALL_QUEUE } from '../intelligence/gateway/modelCallJob.ts';
import { AI_CALL_WORKER } from '../intelligence/gateway/workerRegistration.ts';
import type { GalleyMetrics } from '../ops/metrics/registry.ts';

/** What handlers and loops receive besides the data plane. */
export interface WorkerContext {
  readonly config: Config;
  /** The process's registry (handlers are already wrapped by instrumentJob; this is for domain metrics). */
  readonly metrics: GalleyMetrics;
}

/** One kind of background job. */
export interface JobRegistration {
  /** Queue name, e.g. `webhooks.deliver`. */
  readonly queue: string;
  /** Builds the handler with access to the data plane and the process context. */
  readonly handler: (plane: DataPlane, context: WorkerContext) => JobHandler;
  /** Jobs per process; defaults to GALLEY_WORKER_CONCURRENCY. */
  readonly concurrency?: number;
}

/**
 * A background task of the worker role that is not fed by a queue (e.g. the webhook fan-out following the event
 * log). Every worker process starts each loop once; loops must tolerate running in several processes at once.
 * `start` returns a handle whose `close` stops the loop and waits for its current pass.
 */
export interface BackgroundLoop {
  /** Short name, for logs. */
  readonly name: string;
  readonly start: (plane: DataPlane, context: WorkerContext) => Worker;
}

/**
 * Every job kind, in one list so the worker role and its tests see the same set. Later issues append here
 * (scheduled publishing, model calls).
 */
export const JOBS: readonly JobRegistration[] = [WEBHOOK_DELIVERY_JOB, SCHEDULED_PUBLISH_JOB];

/** Every queue the worker role processes (the job kinds plus the `ai.call` processor), for queue metrics. */
export const QUEUE_NAMES: readonly string[] = Object.freeze([...JOBS.map((job) => job.queue), AI_CALL_QUEUE]);

/** Every background loop of the worker role. */
export const BACKGROUND_LOOPS: readonly BackgroundLoop[] = [WEBHOOK_DISPATCH_LOOP, AI_CALL_WORKER];

/**
 * Starts processing every registered queue in this process, each handler instrumented (duration, outcome, busy
 * ratio), then every background loop. The returned handles close them all (serve closes them on SIGTERM).
 */
export function startWorkers(
  plane: DataPlane,
  config: Config,
  metrics: GalleyMetrics,
  jobs: readonly JobRegistration[] = JOBS,
  loops: readonly BackgroundLoop[] = BACKGROUND_LOOPS,
): Worker[] {
  const context: WorkerContext = { config, metrics };
  const workers = jobs.map((job) => {
    const concurrency = job.concurrency ?? config.workerConcurrency;
    return plane.queue.process(job.queue, metrics.instrumentJob(job.queue, concurrency, job.handler(plane, context)), {
      concurrency,
    });
  });
  return [...workers, ...loops.map((loop) => loop.start(plane, context))];
}
