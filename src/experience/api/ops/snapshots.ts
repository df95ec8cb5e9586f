/**
 * Point-in-time readings of the metrics registry that the ops summary compares over a window. Only families that
 * are plain counters and histograms, or whose collect callback has no side effect, are read here: the event-loop
 * and worker busy-ratio gauges start a new measurement window at each read, and reading them would steal from
 * Prometheus' scrapes. Event-loop delay therefore has its own monitor (opsSummary.ts), and busy ratios are derived
 * from the busy-seconds counter.
 */
import type { GalleyMetrics } from '../../../ops/metrics/registry.ts';

/** Request counts and latency buckets of one method + route template. */
export interface RouteReading {
  readonly method: string;
  readonly route: string;
  /** Requests by status class (`2xx` …). */
  readonly byClass: ReadonlyMap<string, number>;
  /** Cumulative bucket counts keyed by upper bound (seconds; Infinity for +Inf). */
  readonly buckets: ReadonlyMap<number, number>;
}

/** One reading of the counters the summary differentiates. */
export interface Snapshot {
  /** performance.now() at the reading. */
  readonly at: number;
  readonly routes: ReadonlyMap<string, RouteReading>;
  /** Busy worker slot-seconds per queue. */
  readonly busySeconds: ReadonlyMap<string, number>;
  /** Cache hits and misses per cache. */
  readonly caches: ReadonlyMap<string, { readonly hits: number; readonly misses: number }>;
  readonly retrieval: { readonly hits: number; readonly misses: number };
}

/** A snapshot with nothing counted: the baseline before any reading. */
export function emptySnapshot(at: number): Snapshot {
  return { at, routes: new Map(), busySeconds: new Map(), caches: new Map(), retrieval: { hits: 0, misses: 0 } };
}

const routeKey = (method: string, route: string) => `${method} ${route}`;

function label(labels: Partial<Record<string, string | number>>, name: string): string {
  const value = labels[name];
  return value === undefined ? '' : String(value);
}

/** Reads the snapshot families of `metrics`. */
export async function takeSnapshot(metrics: GalleyMetrics, at: number): Promise<Snapshot> {
  const f = metrics.families;
  const [requests, durations, busy, hits, misses, retrievalHits, retrievalMisses] = await Promise.all([
    f.httpRequests.get(),
    f.httpDuration.get(),
    f.workerBusySeconds.get(),
    f.cacheHits.get(),
    f.cacheMisses.get(),
    f.retrievalHits.get(),
    f.retrievalMisses.get(),
  ]);
  const routes = new Map<
    string,
    { method: string; route: string; byClass: Map<string, number>; buckets: Map<number, number> }
  >();
  const routeOf = (method: string, route: string) => {
    const key = routeKey(method, route);
    let reading = routes.get(key);
    if (reading === undefined) {
      reading = { method, route, byClass: new Map(), buckets: new Map() };
      routes.set(key, reading);
    }
    return reading;
  };
  for (const { labels, value } of requests.values) {
    const reading = routeOf(label(labels, 'method'), label(labels, 'route'));
    const status = label(labels, 'status_class');
    reading.byClass.set(status, (reading.byClass.get(status) ?? 0) + value);
  }
  for (const { labels, value, metricName } of durations.values) {
    if (metricName?.endsWith('_bucket') !== true) continue;
    const le = label(labels, 'le');
    const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
    routeOf(label(labels, 'method'), label(labels, 'route')).buckets.set(bound, value);
  }
  const byLabel = (
    values: readonly { labels: Partial<Record<string, string | number>>; value: number }[],
    name: string,
  ) => new Map(values.map(({ labels, value }) => [label(labels, name), value]));
  const hitsByCache = byLabel(hits.values, 'cache');
  const missesByCache = byLabel(misses.values, 'cache');
  const caches = new Map<string, { hits: number; misses: number }>();
  for (const cache of new Set([...hitsByCache.keys(), ...missesByCache.keys()])) {
    caches.set(cache, { hits: hitsByCache.get(cache) ?? 0, misses: missesByCache.get(cache) ?? 0 });
  }
  const total = (values: readonly { value: number }[]) => values.reduce((sum, { value }) => sum + value, 0);
  return {
    at,
    routes,
    busySeconds: byLabel(busy.values, 'queue'),
    caches,
    retrieval: { hits: total(retrievalHits.values), misses: total(retrievalMisses.values) },
  };
}

/**
 * Estimates the `q` quantile (0–1) from cumulative bucket counts, as PromQL's histogram_quantile does: linear
 * interpolation inside the bucket that holds the rank; the highest finite bound when the rank falls in +Inf.
 * Undefined when nothing was counted.
 */
export function quantileOf(buckets: ReadonlyMap<number, number>, q: number): number | undefined {
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  const total = buckets.get(Number.POSITIVE_INFINITY) ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const bound of bounds) {
    const count = buckets.get(bound) ?? 0;
    if (count >= rank) {
      if (bound === Number.POSITIVE_INFINITY) return lowerBound;
      const inBucket = count - lowerCount;
      return inBucket <= 0 ? bound : lowerBound + (bound - lowerBound) * ((rank - lowerCount) / inBucket);
    }
    lowerBound = bound;
    lowerCount = count;
  }
  return lowerBound;
}
