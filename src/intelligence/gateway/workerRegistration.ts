/**
 * How model calls plug into the worker role (experience/workers.ts). The `ai.call` processor needs the AI
 * runtime (providers, prompts, flags …), which is opened asynchronously and must be released on shutdown, so it
 * is registered as a background loop that owns both: it acquires the runtime, processes the queue with the
 * instrumented handler, and on close drains the queue worker before releasing the runtime.
 */
import type { BackgroundLoop } from '../../experience/workers.ts';
import { acquireAiRuntime } from './aiRuntime.ts';
import { createModelCallHandler } from './modelCaller.ts';
import { AI_CALL_QUEUE } from './modelCallJob.ts';

/** Lease of a model call job: renewed while the handler runs, so only a dead worker loses it. */
const LEASE_MS = 30_000;

/** The `ai.call` processor with its runtime. */
export const AI_CALL_WORKER: BackgroundLoop = Object.freeze<BackgroundLoop>({
  name: AI_CALL_QUEUE,
  start(plane, { config, metrics }) {
    const started = acquireAiRuntime(plane, config, metrics).then((lease) => {
      const concurrency = config.workerConcurrency;
      const worker = plane.queue.process(
        AI_CALL_QUEUE,
        metrics.instrumentJob(AI_CALL_QUEUE, concurrency, createModelCallHandler(lease.runtime)),
        { concurrency, leaseMs: LEASE_MS },
      );
      return { lease, worker };
    });
    started.catch((error: unknown) => {
      process.emitWarning(error instanceof Error ? error : new Error(String(error)), { code: 'GALLEY_AI_WORKER' });
    });
    return {
      async close(graceMs) {
        const running = await started.catch(() => undefined);
        if (running === undefined) return;
        await running.worker.close(graceMs);
        await running.lease.release();
      },
    };
  },
});
