/**
 * The ops API, under `/api/v1` (register with that prefix):
 *
 *   GET /ops/summary    this process's RED, queue, worker, cache, event-loop and memory snapshot (200)
 *   GET /ops/traces     this process's recorded traces from the in-memory span ring (200; `galley traces`)
 *
 * Bearer token required (requireAuth); owners and admins only (policy.ts). The numbers describe the process that
 * answers: behind a load balancer, each replica reports its own traffic (Prometheus aggregates across replicas).
 * Exempt from load shedding, like /metrics: an overloaded process is when operators need it.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { GalleyMetrics } from '../../../ops/metrics/registry.ts';
import { TraceDumpSchema } from '../../../ops/tracing/traceDump.ts';
import { dumpTraces } from '../../../ops/tracing/tracing.ts';
import { requireAuth } from '../../auth/verify/authenticate.ts';
import { TokenRejectedError } from '../../auth/verify/claims.ts';
import { SHEDDING_EXEMPT } from '../../http/loadShedding.ts';
import { problemResponse } from '../../http/problem.ts';
import { createOpsSummarizer, type OpsSummarizerOptions } from './opsSummary.ts';
import { authorizeOpsRead } from './policy.ts';
import { OpsSummarySchema } from './schemas.ts';

/** `GET /ops/traces` query: how many traces, or one trace by id. */
const TraceQuerySchema = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'Most traces returned; default 20' })),
    traceId: Type.Optional(Type.String({ pattern: '^[0-9a-f]{32}$', description: 'Only this trace' })),
  },
  { additionalProperties: false },
);

/** Options of opsRoutes. */
export interface OpsRoutesOptions extends OpsSummarizerOptions {
  /** The process's metrics registry (the one /metrics exposes). */
  readonly metrics: GalleyMetrics;
}

/** Registers the ops routes; the summarizer's sampling stops when the app closes. */
export const opsRoutes: FastifyPluginAsyncTypebox<OpsRoutesOptions> = async (app, options) => {
  const summarizer = createOpsSummarizer(options.metrics, options);
  app.addHook('onClose', async () => summarizer.close());
  app.addHook('onRequest', requireAuth);

  app.get(
    '/ops/summary',
    {
      config: SHEDDING_EXEMPT,
      schema: {
        tags: ['ops'],
        summary: "This process's operational snapshot (rates and ratios over the last minute)",
        response: {
          200: OpsSummarySchema,
          401: problemResponse('Missing or refused bearer token (GALLEY_UNAUTHENTICATED)'),
          403: problemResponse('Not an owner or admin (GALLEY_FORBIDDEN)'),
        },
      },
    },
    async (request) => {
      if (request.principal === null) throw new TokenRejectedError('missing');
      authorizeOpsRead(request.principal);
      return summarizer.summary();
    },
  );

  // Spans carry route templates, operation names and counts, never URLs, keys, SQL parameters or content
  // (ops/tracing), so they are as safe for any tenant's admin to read as the summary.
  app.get(
    '/ops/traces',
    {
      config: SHEDDING_EXEMPT,
      schema: {
        tags: ['ops'],
        summary: "This process's recorded traces (newest first), from the in-memory span ring",
        querystring: TraceQuerySchema,
        response: {
          200: TraceDumpSchema,
          401: problemResponse('Missing or refused bearer token (GALLEY_UNAUTHENTICATED)'),
          403: problemResponse('Not an owner or admin (GALLEY_FORBIDDEN)'),
        },
      },
    },
    async (request) => {
      if (request.principal === null) throw new TokenRejectedError('missing');
      authorizeOpsRead(request.principal);
      const { limit, traceId } = request.query;
      return dumpTraces({ limit: limit ?? 20, ...(traceId === undefined ? {} : { traceId }) });
    },
  );
};
