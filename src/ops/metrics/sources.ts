/**
 * Scrape-time readings of the ports behind the USE, cache and budget families. Every reading is cheap: cache
 * stats and pool counters are in-memory; queue stats are the only I/O, fetched once per scrape for all queues
 * (shared by the four queue families), in parallel, each bounded by `timeoutMs`. A queue whose stats fail or time
 * out is left out of that scrape and counted in `galley_metrics_collect_errors_total{source="queue"}`.
 */
import { type EventLoopUtilization, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { CacheProvider } from '../../data/cache/port.ts';
import type { QueueStats } from '../../data/queue/port.ts';
import type { BoundedLabel, TierLabel } from './labels.ts';
import type {
  BudgetReading,
  CacheReading,
  EventLoopReading,
  PoolReading,
  QueueReading,
  Readings,
  WorkerReading,
} from './readings.ts';

/** Ports the collected families read. Each is optional: a process without a pool reports no pool series. */
export interface MetricsSources {
  /** Named caches; their `stats()` feed the cache families. */
  readonly caches?: Pick<CacheProvider, 'all'>;
  /** The queue port and the names of the queues to report. */
  readonly queues?: {
    readonly names: readonly string[] | (() => readonly string[]);
    stats(queue: string): Promise<QueueStats>;
  };
  /** The store pool's counters; undefined when the store has no pool (SQLite). */
  readonly pool?: () => PoolReading | undefined;
  /** Month-to-date usage / cap per tenant, summarised by the budgets module (tier, never tenant id). */
  readonly budgets?: () => readonly BudgetReading[];
}

/** Label guards the readings apply. */
export interface ReadingGuards {
  readonly cache: BoundedLabel;
  readonly queue: BoundedLabel;
  readonly tier: (raw: string | undefined) => TierLabel;
}

/** Counts a failed reading. */
export type FailureSink = (source: string, error: unknown) => void;

/** A queue snapshot is reused by the families of one scrape (they are collected concurrently). */
const SNAPSHOT_REUSE_MS = 1000;
/** Event-loop delay sampling resolution. */
const DELAY_RESOLUTION_MS = 10;

/** Busy slot-time of one queue's workers in this process. */
export class BusyTracker {
  #active = 0;
  #concurrency = 0;
  #changedAt = performance.now();
  #busyMs = 0;
  #readBusyMs = 0;
  #readAt = performance.now();
  readonly #onBusy: (seconds: number) => void;

  /** @param onBusy receives busy slot-seconds as they accrue (feeds the busy-seconds counter) */
  constructor(onBusy: (seconds: number) => void) {
    this.#onBusy = onBusy;
  }

  /** Adds worker slots (several `process` calls for one queue add up). */
  addSlots(concurrency: number): void {
    this.#accrue();
    this.#concurrency += concurrency;
  }

  /** Worker slots of the queue in this process. */
  get concurrency(): number {
    return this.#concurrency;
  }

  /** A job started on one slot. */
  start(): void {
    this.#accrue();
    this.#active += 1;
  }

  /** A job left its slot. */
  end(): void {
    this.#accrue();
    this.#active = Math.max(0, this.#active - 1);
  }

  /** Busy ratio since the previous read, and the slot count. */
  read(): { busyRatio: number; concurrency: number } {
    this.#accrue();
    const now = this.#changedAt;
    const capacity = (now - this.#readAt) * this.#concurrency;
    const busy = this.#busyMs - this.#readBusyMs;
    this.#readAt = now;
    this.#readBusyMs = this.#busyMs;
    const ratio = capacity > 0 ? Math.min(1, busy / capacity) : 0;
    return { busyRatio: ratio, concurrency: this.#concurrency };
  }

  #accrue(): void {
    const now = performance.now();
    const busy = this.#active * (now - this.#changedAt);
    this.#changedAt = now;
    if (busy > 0) {
      this.#busyMs += busy;
      this.#onBusy(busy / 1000);
    }
  }
}

/** The mutable source set and the readings collect callbacks use. */
export class SourceReadings implements Readings {
  #sources: MetricsSources = {};
  #snapshot: { at: number; result: Promise<readonly QueueReading[]> } | undefined;
  #elu: EventLoopUtilization = performance.eventLoopUtilization();
  readonly #delay = monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS });
  readonly #trackers = new Map<string, BusyTracker>();
  readonly #guards: ReadingGuards;
  readonly #timeoutMs: number;
  readonly #fail: FailureSink;

  constructor(guards: ReadingGuards, timeoutMs: number, fail: FailureSink) {
    this.#guards = guards;
    this.#timeoutMs = timeoutMs;
    this.#fail = fail;
    this.#delay.enable();
  }

  /** Merges `sources` over the current ones. */
  use(sources: MetricsSources): void {
    this.#sources = { ...this.#sources, ...sources };
    this.#snapshot = undefined;
  }

  /** The busy tracker of a (guarded) queue label, created on first use. */
  tracker(queue: string, onBusy: (seconds: number) => void): BusyTracker {
    let tracker = this.#trackers.get(queue);
    if (tracker === undefined) {
      tracker = new BusyTracker(onBusy);
      this.#trackers.set(queue, tracker);
    }
    return tracker;
  }

  caches(): readonly CacheReading[] {
    const provider = this.#sources.caches;
    if (provider === undefined) return [];
    return provider.all().map((cache) => ({ cache: this.#guards.cache.value(cache.name), stats: cache.stats() }));
  }

  queues(): Promise<readonly QueueReading[]> {
    const now = performance.now();
    if (this.#snapshot === undefined || now - this.#snapshot.at > SNAPSHOT_REUSE_MS) {
      this.#snapshot = { at: now, result: this.#readQueues() };
    }
    return this.#snapshot.result;
  }

  pool(): PoolReading | undefined {
    return this.#sources.pool?.();
  }

  workers(): readonly WorkerReading[] {
    return [...this.#trackers].map(([queue, tracker]) => ({ queue, ...tracker.read() }));
  }

  workerSlots(): readonly { readonly queue: string; readonly concurrency: number }[] {
    return [...this.#trackers].map(([queue, tracker]) => ({ queue, concurrency: tracker.concurrency }));
  }

  budgets(): readonly BudgetReading[] {
    const worst = new Map<string, number>();
    for (const { tier, ratio } of this.#sources.budgets?.() ?? []) {
      if (!Number.isFinite(ratio)) continue;
      const label = this.#guards.tier(tier);
      worst.set(label, Math.max(worst.get(label) ?? 0, ratio));
    }
    return [...worst].map(([tier, ratio]) => ({ tier, ratio }));
  }

  eventLoop(): EventLoopReading {
    const elu = performance.eventLoopUtilization(this.#elu);
    this.#elu = performance.eventLoopUtilization();
    const seconds = (ns: number) => (Number.isFinite(ns) ? ns / 1e9 : 0);
    const delay = {
      p50: seconds(this.#delay.percentile(50)),
      p90: seconds(this.#delay.percentile(90)),
      p99: seconds(this.#delay.percentile(99)),
      max: seconds(this.#delay.max),
    };
    this.#delay.reset();
    return { utilization: elu.utilization, delay };
  }

  failed(source: string, error: unknown): void {
    this.#fail(source, error);
  }

  async settled(): Promise<void> {
    // #readQueues never rejects: each queue's failure is caught and counted.
    await this.#snapshot?.result;
  }

  /** Stops the event-loop monitor. */
  close(): void {
    this.#delay.disable();
  }

  async #readQueues(): Promise<readonly QueueReading[]> {
    const port = this.#sources.queues;
    if (port === undefined) return [];
    const names = typeof port.names === 'function' ? port.names() : port.names;
    const settled = await Promise.all(
      [...new Set(names)].map(async (name) => {
        try {
          return { queue: this.#guards.queue.value(name), stats: await this.#withTimeout(port.stats(name)) };
        } catch (error) {
          this.#fail('queue', error);
          return undefined;
        }
      }),
    );
    return settled.filter((reading) => reading !== undefined);
  }

  #withTimeout<T>(promise: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`queue stats took over ${this.#timeoutMs} ms`)), this.#timeoutMs);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }
}
