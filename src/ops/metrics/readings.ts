/**
 * The contract between the collected families (families.ts) and the port readers behind them (sources.ts), and
 * the wrappers that keep every collect callback from throwing: a failing reading is counted through
 * `Readings.failed` and the family shows no series for that scrape rather than stale ones.
 */
import type { CacheStats } from '../../data/cache/port.ts';
import type { QueueStats } from '../../data/queue/port.ts';

/** One cache's counters, under its guarded label. */
export interface CacheReading {
  readonly cache: string;
  readonly stats: CacheStats;
}

/** One queue's stats, under its guarded label. */
export interface QueueReading {
  readonly queue: string;
  readonly stats: QueueStats;
}

/** Connections of the store's pool. */
export interface PoolReading {
  readonly inUse: number;
  readonly idle: number;
  /** Callers waiting for a connection. */
  readonly waiting: number;
}

/** Worker saturation of one queue in this process. */
export interface WorkerReading {
  readonly queue: string;
  /** Busy slot-time over available slot-time since the previous `workers()` call, 0..1. */
  readonly busyRatio: number;
  /** Jobs this process runs at once for the queue. */
  readonly concurrency: number;
}

/** Budget usage of one tier: the highest month-to-date usage / cap among its tenants (tier label guarded). */
export interface BudgetReading {
  readonly tier: string;
  readonly ratio: number;
}

/** Event-loop readings since the previous scrape. */
export interface EventLoopReading {
  /** Fraction of time the loop was busy, 0..1. */
  readonly utilization: number;
  /** Delay statistics in seconds. */
  readonly delay: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number };
}

/** What collect callbacks read; implemented by sources.ts. */
export interface Readings {
  caches(): readonly CacheReading[];
  queues(): Promise<readonly QueueReading[]>;
  pool(): PoolReading | undefined;
  /** Busy ratios since the previous call (starts a new window). */
  workers(): readonly WorkerReading[];
  /** Worker slots per queue; does not start a new window. */
  workerSlots(): readonly { readonly queue: string; readonly concurrency: number }[];
  budgets(): readonly BudgetReading[];
  eventLoop(): EventLoopReading;
  /** Records a reading that threw or timed out. */
  failed(source: string, error: unknown): void;
  /** Resolves once this scrape's asynchronous readings (and so their failure counts) are done. */
  settled(): Promise<void>;
}

/** Runs a collect body; a throw becomes a counted failure and an empty family. */
export function safely<M extends { reset(): void }>(source: string, read: Readings, fill: (metric: M) => void) {
  return function collect(this: M): void {
    try {
      this.reset();
      fill(this);
    } catch (error) {
      this.reset();
      read.failed(source, error);
    }
  };
}

/** Async variant for port readings (queue stats); failures are already counted by the reading. */
export function safelyAsync<M extends { reset(): void }>(
  source: string,
  read: Readings,
  fill: (metric: M) => Promise<void>,
) {
  return async function collect(this: M): Promise<void> {
    try {
      await fill(this);
    } catch (error) {
      this.reset();
      read.failed(source, error);
    }
  };
}
