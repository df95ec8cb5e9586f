/**
 * Runs the fan-out in the worker role: one `runOnce` every `intervalMs` (the next pass starts only after the
 * previous one ends, so passes never overlap within a process), and sooner when nudged. Failures are reported and
 * the loop carries on; the failed tenants are retried on the next pass from their unchanged checkpoints.
 */
import type { WebhookDispatcher } from './webhookDispatcher.ts';

/** Default pause between passes. */
export const DEFAULT_DISPATCH_INTERVAL_MS = 250;

/** Options of startDispatchLoop. */
export interface DispatchLoopOptions {
  readonly dispatcher: WebhookDispatcher;
  /** Pause between passes; default DEFAULT_DISPATCH_INTERVAL_MS. */
  readonly intervalMs?: number;
  /** Receives a failed pass's error. */
  readonly onError: (error: unknown) => void;
}

/** A running loop. */
export interface DispatchLoop {
  /** Starts the next pass now (or right after the running one). */
  nudge(): void;
  /** Stops scheduling passes and waits for the running one, if any. */
  close(): Promise<void>;
}

/** Starts the loop; the first pass runs at once. Its timers do not keep the process alive. */
export function startDispatchLoop(options: DispatchLoopOptions): DispatchLoop {
  const intervalMs = options.intervalMs ?? DEFAULT_DISPATCH_INTERVAL_MS;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;

  const schedule = (delayMs: number): void => {
    if (stopped) return;
    timer = setTimeout(pass, delayMs);
    timer.unref();
  };

  function pass(): void {
    timer = undefined;
    again = false;
    running = options.dispatcher.runOnce().then(
      () => undefined,
      (error: unknown) => options.onError(error),
    );
    void running.finally(() => {
      running = undefined;
      schedule(again ? 0 : intervalMs);
    });
  }

  schedule(0);
  return {
    nudge() {
      if (stopped) return;
      if (running !== undefined) {
        again = true;
      } else if (timer !== undefined) {
        clearTimeout(timer);
        schedule(0);
      }
    },
    async close() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
