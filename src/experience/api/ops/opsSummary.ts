/**
 * The ops summary of one process: a presenter over the metrics registry. Rates, ratios and latency quantiles are
 * measured over a sliding window (60 s by default): the summarizer reads the registry's counters every
 * `sampleEveryMs` into a short ring and compares the current reading with the oldest one inside the window, so
 * any number of viewers polling the ops page see the same numbers (no viewer's read resets another's window).
 * Queue stats are read from the registry's queue families (one shared, bounded read of the queue port); memory
 * from the process; event-loop delay from a monitor of its own (see snapshots.ts for why).
 */
import { type EventLoopUtilization, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { GalleyMetrics } from '../../../ops/metrics/registry.ts';
import type { OpsSummary, RouteSummary } from './schemas.ts';
import { emptySnapshot, quantileOf, type RouteReading, type Snapshot, takeSnapshot } from './snapshots.ts';

/** Options of createOpsSummarizer. */
export interface OpsSummarizerOptions {
  /** Span rates are measured over; default 60 000 ms. */
  readonly windowMs?: number;
  /** How often the registry is read into the ring; default 10 000 ms. */
  readonly sampleEveryMs?: number;
  /** Most routes listed, busiest first; default 20. */
  readonly maxRoutes?: number;
}

/** Produces the summary; `close` stops its timer and monitor. */
export interface OpsSummarizer {
  summary(): Promise<OpsSummary>;
  close(): void;
}

interface LoopReading {
  readonly utilization: number;
  readonly delayMs: { readonly p50: number; readonly p99: number; readonly max: number };
}

const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);
const ms = (seconds: number | undefined): number | null => (seconds === undefined ? null : seconds * 1000);

/** Bucket counts of `now` minus `before` (a route absent before counts from zero). */
function bucketDelta(now: RouteReading, before: RouteReading | undefined): Map<number, number> {
  const delta = new Map<number, number>();
  for (const [bound, count] of now.buckets) delta.set(bound, count - (before?.buckets.get(bound) ?? 0));
  return delta;
}

function classDelta(now: RouteReading, before: RouteReading | undefined, statusClass: string): number {
  return (now.byClass.get(statusClass) ?? 0) - (before?.byClass.get(statusClass) ?? 0);
}

/** RED fields of a request set from its counts and summed bucket deltas. */
function red(requests: number, errors: number, clientErrors: number, buckets: Map<number, number>, seconds: number) {
  return {
    requests,
    requestsPerSecond: seconds > 0 ? requests / seconds : 0,
    errorRatio: ratio(errors, requests),
    clientErrorRatio: ratio(clientErrors, requests),
    latencyMs: {
      p50: ms(quantileOf(buckets, 0.5)),
      p95: ms(quantileOf(buckets, 0.95)),
      p99: ms(quantileOf(buckets, 0.99)),
    },
  };
}

/** The HTTP part of the summary: totals and the busiest routes between two snapshots. */
function httpSummary(now: Snapshot, before: Snapshot, seconds: number, maxRoutes: number): OpsSummary['http'] {
  const routes: RouteSummary[] = [];
  const all = new Map<number, number>();
  let requests = 0;
  let errors = 0;
  let clientErrors = 0;
  for (const [key, reading] of now.routes) {
    const previous = before.routes.get(key);
    const buckets = bucketDelta(reading, previous);
    const count = buckets.get(Number.POSITIVE_INFINITY) ?? 0;
    if (count <= 0) continue;
    const routeErrors = classDelta(reading, previous, '5xx');
    const routeClientErrors = classDelta(reading, previous, '4xx');
    for (const [bound, n] of buckets) all.set(bound, (all.get(bound) ?? 0) + n);
    requests += count;
    errors += routeErrors;
    clientErrors += routeClientErrors;
    routes.push({
      method: reading.method,
      route: reading.route,
      ...red(count, routeErrors, routeClientErrors, buckets, seconds),
    });
  }
  routes.sort((a, b) => b.requests - a.requests || a.route.localeCompare(b.route));
  return { ...red(requests, errors, clientErrors, all, seconds), routes: routes.slice(0, maxRoutes) };
}

/** Values of a gauge family by one label. */
async function gaugeByLabel(
  family: { get(): Promise<{ values: { labels: Partial<Record<string, string | number>>; value: number }[] }> },
  name: string,
): Promise<Map<string, number>> {
  const { values } = await family.get();
  return new Map(values.map(({ labels, value }) => [String(labels[name] ?? ''), value]));
}

/** Creates the summarizer over `metrics`; it samples until closed (its timer does not hold the process open). */
export function createOpsSummarizer(metrics: GalleyMetrics, options: OpsSummarizerOptions = {}): OpsSummarizer {
  const windowMs = options.windowMs ?? 60_000;
  const sampleEveryMs = options.sampleEveryMs ?? 10_000;
  const maxRoutes = options.maxRoutes ?? 20;
  const ring: Snapshot[] = [];
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let elu: EventLoopUtilization = performance.eventLoopUtilization();
  let loop: LoopReading | undefined;

  const readLoop = (): LoopReading => {
    const current = performance.eventLoopUtilization(elu);
    const toMs = (ns: number) => (Number.isFinite(ns) ? ns / 1e6 : 0);
    return {
      utilization: current.utilization,
      delayMs: { p50: toMs(delay.percentile(50)), p99: toMs(delay.percentile(99)), max: toMs(delay.max) },
    };
  };

  const sample = async (): Promise<void> => {
    const snapshot = await takeSnapshot(metrics, performance.now());
    ring.push(snapshot);
    while (ring.length > 1 && (ring[1]?.at ?? 0) <= snapshot.at - windowMs) ring.shift();
  };
  const closePeriod = (): void => {
    loop = readLoop();
    elu = performance.eventLoopUtilization();
    delay.reset();
  };
  // The registry may have counted for a while already (it is shared with the workers): the first reading, taken
  // now, is the baseline, so the first window does not claim earlier traffic.
  const started = performance.now();
  const first = sample().catch(() => {
    ring.push(emptySnapshot(started));
  });
  const timer = setInterval(() => {
    closePeriod();
    sample().catch(() => {
      // A failed reading leaves a gap in the ring; the next one fills it.
    });
  }, sampleEveryMs);
  timer.unref();

  return {
    async summary() {
      await first;
      const now = performance.now();
      const current = await takeSnapshot(metrics, now);
      // The oldest reading still inside the window (or the oldest there is, while the process is young).
      const before = ring.find((s) => s.at >= now - windowMs - sampleEveryMs / 2) ?? ring[0] ?? emptySnapshot(now);
      const seconds = Math.max(0.001, (now - before.at) / 1000);
      const f = metrics.families;
      const [depth, active, dead, age, entries, concurrency] = await Promise.all([
        gaugeByLabel(f.queueDepth, 'queue'),
        gaugeByLabel(f.queueActive, 'queue'),
        gaugeByLabel(f.queueDeadLetters, 'queue'),
        gaugeByLabel(f.queueOldestAge, 'queue'),
        gaugeByLabel(f.cacheEntries, 'cache'),
        gaugeByLabel(f.workerConcurrency, 'queue'),
      ]);
      const memory = process.memoryUsage();
      const retrievalHits = current.retrieval.hits - before.retrieval.hits;
      const retrievalTotal = retrievalHits + current.retrieval.misses - before.retrieval.misses;
      return {
        generatedAt: new Date().toISOString(),
        windowSeconds: seconds,
        uptimeSeconds: process.uptime(),
        http: httpSummary(current, before, seconds, maxRoutes),
        queues: [...depth].map(([queue, waiting]) => ({
          queue,
          depth: waiting,
          active: active.get(queue) ?? 0,
          deadLettered: dead.get(queue) ?? 0,
          oldestAgeSeconds: age.get(queue) ?? 0,
        })),
        workers: [...concurrency].map(([queue, slots]) => {
          const busy = (current.busySeconds.get(queue) ?? 0) - (before.busySeconds.get(queue) ?? 0);
          return { queue, concurrency: slots, busyRatio: slots > 0 ? Math.min(1, busy / (seconds * slots)) : null };
        }),
        caches: [...current.caches].map(([cache, { hits, misses }]) => {
          const previous = before.caches.get(cache) ?? { hits: 0, misses: 0 };
          const windowHits = hits - previous.hits;
          return {
            cache,
            entries: entries.get(cache) ?? 0,
            hitRatio: ratio(windowHits, windowHits + misses - previous.misses),
            lifetimeHitRatio: ratio(hits, hits + misses),
          };
        }),
        retrieval: { hitRatio: ratio(retrievalHits, retrievalTotal) },
        eventLoop: loop ?? readLoop(),
        memory: {
          rssBytes: memory.rss,
          heapUsedBytes: memory.heapUsed,
          heapTotalBytes: memory.heapTotal,
          externalBytes: memory.external,
        },
      };
    },
    close() {
      clearInterval(timer);
      delay.disable();
    },
  };
}
