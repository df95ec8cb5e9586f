/**
 * The in-process fast path of the embedded queue. Every adapter instance over the same `Store` shares one
 * notifier, so an enqueue wakes idle workers at once (no poll wait) and a cancel reaches a handler running in
 * this process without waiting for its next lease renewal. Other processes on the same database file still
 * see both through polling and lease renewal; the notifier only makes the common single-process case fast.
 */
import type { Store } from '../../store/port.ts';

/** Receives wake-ups for one queue. */
export interface QueueListener {
  /** A job of the queue became (or will become at `runAt`, epoch ms) claimable. */
  wake(runAt: number): void;
}

/** Receives cancellations of running jobs. */
export type CancelListener = (jobId: string) => void;

/** Process-local signals for one store. */
export class Notifier {
  readonly #queues = new Map<string, Set<QueueListener>>();
  readonly #cancels = new Set<CancelListener>();

  /** Registers a queue listener; returns its removal. */
  listen(queue: string, listener: QueueListener): () => void {
    let set = this.#queues.get(queue);
    if (set === undefined) {
      set = new Set();
      this.#queues.set(queue, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#queues.delete(queue);
    };
  }

  /** Tells the queue's listeners that a job is claimable from `runAt` on. */
  wake(queue: string, runAt: number): void {
    for (const listener of this.#queues.get(queue) ?? []) listener.wake(runAt);
  }

  /** Registers a cancellation listener; returns its removal. */
  onCancel(listener: CancelListener): () => void {
    this.#cancels.add(listener);
    return () => {
      this.#cancels.delete(listener);
    };
  }

  /** Tells every local worker that `jobId` was cancelled while running. */
  cancel(jobId: string): void {
    for (const listener of this.#cancels) listener(jobId);
  }
}

const notifiers = new WeakMap<Store, Notifier>();

/** The notifier shared by every queue adapter over `store` in this process. */
export function notifierFor(store: Store): Notifier {
  let notifier = notifiers.get(store);
  if (notifier === undefined) {
    notifier = new Notifier();
    notifiers.set(store, notifier);
  }
  return notifier;
}
