/**
 * The worker role: starts a processor for every job kind the domain registers. Each registration names its
 * queue, its handler and how many jobs one process runs at once; handlers are idempotent (a crashed worker's
 * job is delivered again).
 */
import type { Config } from '../config/config.ts';
import type { DataPlane } from '../data/dataPlane.ts';
import type { JobHandler, Worker } from '../data/queue/port.ts';
import type { GalleyMetrics } from '../ops/metrics/registry.ts';

/** One kind of background job. */
export interface JobRegistration {
  /** Queue name, e.g. `webhooks.deliver`. */
  readonly queue: string;
  /** Builds the handler with access to the data plane. */
  readonly handler: (plane: DataPlane) => JobHandler;
  /** Jobs per process; defaults to GALLEY_WORKER_CONCURRENCY. */
  readonly concurrency?: number;
}

/**
 * Every job kind, in one list so the worker role and its tests see the same set. Later issues append here
 * (scheduled publishing, webhook delivery, model calls).
 */
export const JOBS: readonly JobRegistration[] = [];

/** Starts processing every registered queue in this process, each handler instrumented (duration, outcome, busy ratio). */
export function startWorkers(
  plane: DataPlane,
  config: Config,
  metrics: GalleyMetrics,
  jobs: readonly JobRegistration[] = JOBS,
): Worker[] {
  return jobs.map((job) => {
    const concurrency = job.concurrency ?? config.workerConcurrency;
    return plane.queue.process(job.queue, metrics.instrumentJob(job.queue, concurrency, job.handler(plane)), {
      concurrency,
    });
  });
}
