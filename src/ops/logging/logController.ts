/**
 * Fastify's request-logging hooks (its `logController` option), replaced by Galley's policy: no "incoming
 * request" line; each request's lines are buffered (requestLogs.ts) and, when the response is done, the request
 * falls into one cohort:
 *
 * - **error**: a 5xx, a response stream error, or any line logged at error level or above. Every buffered line is
 *   written (debug included, whatever the configured level), then a completion line at error level carrying the
 *   request headers (redacted, see redaction.ts).
 * - **slow**: slower than its threshold (per route: the latency SLO threshold, or the configured one). Written in
 *   full like the error cohort, with a completion line at warn level.
 * - **sampled**: the rest (2xx–4xx under the threshold, and aborted requests), when the trace id falls in the
 *   sample (sampling.ts, deterministic, so logs agree with traces). Lines at the configured level are written, then
 *   an info completion line.
 * - **dropped**: the rest. Nothing is written.
 *
 * 4xx answers are client mistakes and are sampled with successes: a flood of bad tokens must not flood the logs.
 */
import type { SpanContext } from '@opentelemetry/api';
import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import type { FlushMode, RequestBuffer, RequestLogs } from './requestLogs.ts';
import { sampledIn, traceIdOfTraceparent } from './sampling.ts';

/** Latency SLO thresholds (docs/slo.md): delivery API 100 ms, management API and everything else 250 ms. */
export const SLO_THRESHOLD_MS = Object.freeze({ delivery: 100, management: 250 });

/** The latency SLO threshold of a route template (`/cdn/…` is the delivery API). */
export function sloThresholdMs(route: string | undefined): number {
  return route?.startsWith('/cdn/') ? SLO_THRESHOLD_MS.delivery : SLO_THRESHOLD_MS.management;
}

/** The cohort a finished request falls into. */
export type LogCohort = 'error' | 'slow' | 'sampled' | 'dropped';

/** How each cohort's buffered lines are written. */
const FLUSH: Readonly<Record<LogCohort, FlushMode>> = {
  error: 'all',
  slow: 'all',
  sampled: 'at-level',
  dropped: 'none',
};

/** Options of SampledLogController. */
export interface SampledLogControllerOptions {
  readonly logs: RequestLogs;
  /** Fraction of ordinary requests logged, 0–1. */
  readonly sampleRate: number;
  /** Requests slower than this many ms are logged in full; 0 or absent = each route's SLO threshold. */
  readonly slowMs?: number;
  /** Label of the request id in log lines; must match what RequestLogs looks for. Default `requestId`. */
  readonly requestIdLogLabel?: string;
  /**
   * The request's span context, when tracing runs (httpTracing.ts `requestSpanContext`); otherwise the incoming
   * `traceparent` header is used, and without one the request id keys the sample.
   */
  readonly spanContextOf?: (request: FastifyRequest) => SpanContext | undefined;
}

/** Fastify LogController applying Galley's sampled, buffered request logging. */
export class SampledLogController extends LogController {
  readonly #logs: RequestLogs;
  readonly #rate: number;
  readonly #slowMs: number;
  readonly #spanContextOf: (request: FastifyRequest) => SpanContext | undefined;
  readonly #buffers = new WeakMap<FastifyRequest, RequestBuffer>();
  /** Requests whose cohort was decided (an aborted response may still report an error afterwards). */
  readonly #completed = new WeakSet<FastifyRequest>();

  constructor(options: SampledLogControllerOptions) {
    super({ requestIdLogLabel: options.requestIdLogLabel ?? 'requestId', disableRequestLogging: false });
    this.#logs = options.logs;
    this.#rate = options.sampleRate;
    this.#slowMs = options.slowMs ?? 0;
    this.#spanContextOf = options.spanContextOf ?? (() => undefined);
  }

  /** Opens the request's buffer instead of logging "incoming request". */
  override incomingRequest(request: FastifyRequest, reply: FastifyReply): void {
    const buffer = this.#logs.open(request.id);
    if (buffer === undefined) return;
    this.#buffers.set(request, buffer);
    // A client that goes away before the response ends never reaches requestCompleted.
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) this.#complete(undefined, request, reply, true);
    });
  }

  /** Decides the request's cohort and writes (or drops) its lines. */
  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    this.#complete(error ?? undefined, request, reply, false);
  }

  /** The cohort of a finished request. */
  #cohortOf(request: FastifyRequest, reply: FastifyReply, failed: boolean, highestLevel: number): LogCohort {
    if (failed || reply.statusCode >= 500 || highestLevel >= 50) return 'error';
    const route = request.is404 ? undefined : request.routeOptions.url;
    const threshold = this.#slowMs > 0 ? this.#slowMs : sloThresholdMs(route);
    if (reply.elapsedTime > threshold) return 'slow';
    const spanContext = this.#spanContextOf(request);
    const traceId = spanContext?.traceId ?? traceIdOfTraceparent(request.headers.traceparent);
    return sampledIn(this.#rate, traceId, request.id) ? 'sampled' : 'dropped';
  }

  #complete(error: Error | undefined, request: FastifyRequest, reply: FastifyReply, aborted: boolean): void {
    if (this.#completed.has(request)) return;
    this.#completed.add(request);
    const buffer = this.#buffers.get(request);
    const cohort = this.#cohortOf(request, reply, error !== undefined, buffer?.highestLevel ?? 0);
    const spanContext = this.#spanContextOf(request);
    const full = cohort === 'error' || cohort === 'slow';
    const fields = {
      // Serialised by the logger's `req` serializer: method, redacted URL, route.
      req: request,
      ...(full ? { headers: request.headers } : {}),
      res: { statusCode: aborted ? undefined : reply.statusCode },
      responseTime: reply.elapsedTime,
      cohort,
      ...(aborted ? { aborted: true } : {}),
      ...(buffer !== undefined && buffer.dropped > 0 ? { droppedLines: buffer.dropped } : {}),
      ...(spanContext === undefined ? {} : { trace_id: spanContext.traceId, span_id: spanContext.spanId }),
      ...(error === undefined ? {} : { err: error }),
    };
    // The completion line joins the buffer, so it is written (or dropped) with the request's other lines, last.
    if (cohort === 'error') request.log.error(fields, 'request errored');
    else if (cohort === 'slow') request.log.warn(fields, 'request slow');
    else if (cohort === 'sampled') request.log.info(fields, aborted ? 'request aborted' : 'request completed');
    if (buffer !== undefined) this.#logs.close(buffer, FLUSH[cohort]);
  }
}
