/** TypeBox schemas of the ops routes; types are inferred from them. */
import { type Static, Type } from 'typebox';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

/** Latency estimates in milliseconds (null when no request was counted in the window). */
export const LatencySchema = Type.Object({
  p50: Nullable(Type.Number()),
  p95: Nullable(Type.Number()),
  p99: Nullable(Type.Number()),
});

/** Rate, errors and duration of a set of requests over the window. */
const RedFields = {
  requests: Type.Integer({ description: 'Requests finished in the window' }),
  requestsPerSecond: Type.Number(),
  errorRatio: Nullable(Type.Number({ description: '5xx responses over all responses' })),
  clientErrorRatio: Nullable(Type.Number({ description: '4xx responses over all responses' })),
  latencyMs: LatencySchema,
};

/** One route template's RED readings. */
export const RouteSummarySchema = Type.Object({
  method: Type.String(),
  route: Type.String({ description: 'Route template, or `unmatched`' }),
  ...RedFields,
});

/** `GET /api/v1/ops/summary` 200 body. */
export const OpsSummarySchema = Type.Object(
  {
    generatedAt: Type.String({ format: 'date-time' }),
    windowSeconds: Type.Number({ description: 'Span the rates and ratios are measured over (up to 60 s)' }),
    uptimeSeconds: Type.Number(),
    http: Type.Object({
      ...RedFields,
      routes: Type.Array(RouteSummarySchema, { description: 'Busiest routes of the window, at most 20' }),
    }),
    queues: Type.Array(
      Type.Object({
        queue: Type.String(),
        depth: Type.Integer({ description: 'Waiting and delayed jobs' }),
        active: Type.Integer(),
        deadLettered: Type.Integer(),
        oldestAgeSeconds: Type.Number({ description: 'Age of the oldest job ready to run' }),
      }),
    ),
    workers: Type.Array(
      Type.Object({
        queue: Type.String(),
        concurrency: Type.Integer({ description: 'Jobs this process runs at once' }),
        busyRatio: Nullable(Type.Number({ description: 'Busy slot-time over available slot-time in the window' })),
      }),
    ),
    caches: Type.Array(
      Type.Object({
        cache: Type.String(),
        entries: Type.Integer({ description: 'Entries held in this process' }),
        hitRatio: Nullable(Type.Number({ description: 'Hits over lookups in the window' })),
        lifetimeHitRatio: Nullable(Type.Number({ description: 'Hits over lookups since the process started' })),
      }),
    ),
    retrieval: Type.Object({ hitRatio: Nullable(Type.Number({ description: 'Over the window' })) }),
    eventLoop: Type.Object({
      utilization: Type.Number({ description: 'Busy fraction of the last sampling period (0–1)' }),
      delayMs: Type.Object({ p50: Type.Number(), p99: Type.Number(), max: Type.Number() }),
    }),
    memory: Type.Object({
      rssBytes: Type.Integer(),
      heapUsedBytes: Type.Integer(),
      heapTotalBytes: Type.Integer(),
      externalBytes: Type.Integer(),
    }),
  },
  { description: "This process's operational snapshot" },
);

/** The ops summary. */
export type OpsSummary = Static<typeof OpsSummarySchema>;
/** One route's readings. */
export type RouteSummary = Static<typeof RouteSummarySchema>;
