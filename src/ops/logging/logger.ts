/**
 * Galley's logger: pino writing JSON lines, every line carrying the active span's `trace_id` and `span_id`
 * (request lines also carry the request id, bound by Fastify), secrets and personal data redacted
 * (redaction.ts), and request lines routed through per-request buffers (requestLogs.ts) so that only sampled
 * successes and, in full, failures and slow requests reach the output (logController.ts).
 *
 * Wiring (app.ts): pass `logger` as Fastify's `loggerInstance` and `logController` as its `logController`, then
 * register `requestLogScopePlugin` with `{ logs: requestLogs }`. Workers and the CLI log through `logger` (or a
 * child); their lines are not request lines and are written at once, filtered by level.
 */
import { hostname } from 'node:os';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { type DestinationStream, type LevelWithSilent, type LoggerOptions, pino } from 'pino';
import { SampledLogController, type SampledLogControllerOptions } from './logController.ts';
import { redactFields, redactUrl } from './redaction.ts';
import { type BufferLimits, RequestLogs } from './requestLogs.ts';

/** Options of createLogging. */
export interface LoggingOptions extends BufferLimits {
  /**
   * Configured level (GALLEY_LOG_LEVEL: a pino level name or `silent`): lines below it are written only when a
   * failed or slow request flushes its buffer.
   */
  readonly level: string;
  /** Fraction of ordinary requests logged (GALLEY_LOG_SAMPLE_RATE), 0–1. */
  readonly sampleRate: number;
  /** Slow-request threshold in ms (GALLEY_LOG_SLOW_MS); 0 or absent = each route's latency SLO threshold. */
  readonly slowMs?: number;
  /** Lowest level held in request buffers; default `debug`. */
  readonly bufferLevel?: LevelWithSilent;
  /** Where lines go; default stdout. */
  readonly destination?: DestinationStream;
  /** Label of the request id in request lines; must match Fastify's; default `requestId`. */
  readonly requestIdLogLabel?: string;
  /** The request's span context, from the tracing plugin (see SampledLogControllerOptions). */
  readonly spanContextOf?: SampledLogControllerOptions['spanContextOf'];
  /** Fields on every line (e.g. `{ service: 'galley', role: 'worker' }`). */
  readonly base?: Readonly<Record<string, unknown>>;
}

/** The logger and the parts the HTTP server needs. */
export interface Logging {
  /**
   * The process logger (pino), typed as Fastify's base logger so that passing it as `loggerInstance` keeps
   * `FastifyInstance` at its default logger type.
   */
  readonly logger: FastifyBaseLogger;
  /** Fastify's `logController` option. */
  readonly logController: SampledLogController;
  /** The request buffers; `requestLogScopePlugin` needs them. */
  readonly requestLogs: RequestLogs;
}

const LEVELS: readonly LevelWithSilent[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** The pino level named `name`; throws on an unknown name (the configuration validates it first). */
function levelNamed(name: string): LevelWithSilent {
  const level = LEVELS.find((candidate) => candidate === name);
  if (level === undefined) throw new RangeError(`unknown log level "${name}"`);
  return level;
}

/** Numeric value of a level; `silent` is above every level. */
function levelValue(level: LevelWithSilent): number {
  return level === 'silent' ? Number.POSITIVE_INFINITY : (pino.levels.values[level] ?? 30);
}

/** Adds the active span's ids, so worker and request lines can be joined to their traces. */
function traceIds(): Record<string, string> {
  const context = trace.getActiveSpan()?.spanContext();
  return context !== undefined && isSpanContextValid(context)
    ? { trace_id: context.traceId, span_id: context.spanId }
    : {};
}

/** A request as code may log it (`{ req: request }`): method, redacted URL and route, never headers or body. */
function serializeRequest(request: FastifyRequest | { method?: string; url?: string }): Record<string, unknown> {
  const route = 'routeOptions' in request && !request.is404 ? request.routeOptions.url : undefined;
  return {
    method: request.method,
    url: request.url === undefined ? undefined : redactUrl(request.url),
    ...(route === undefined ? {} : { route }),
  };
}

/** A reply as Fastify's own log lines pass it (`{ res: reply }`): its status code only. */
function serializeReply(reply: { statusCode?: number }): Record<string, unknown> {
  return { statusCode: reply.statusCode };
}

/** The pino options of Galley's loggers, for one built outside createLogging (e.g. a CLI writing to stderr). */
export function loggerOptions(level: LevelWithSilent, bufferLevel: LevelWithSilent, base?: object): LoggerOptions {
  const lowest = levelValue(bufferLevel) < levelValue(level) ? bufferLevel : level;
  return {
    level: lowest,
    ...(base === undefined ? {} : { base: { pid: process.pid, hostname: hostname(), ...base } }),
    formatters: { log: redactFields, bindings: redactFields },
    serializers: { req: serializeRequest, res: serializeReply, err: pino.stdSerializers.err },
    mixin: traceIds,
  };
}

/** Creates the process logger with its request buffers and Fastify log controller. */
export function createLogging(options: LoggingOptions): Logging {
  const level = levelNamed(options.level);
  const requestIdLogLabel = options.requestIdLogLabel ?? 'requestId';
  const requestLogs = new RequestLogs({
    out: options.destination ?? pino.destination({ dest: 1, sync: true }),
    level: levelValue(level),
    requestIdLabel: requestIdLogLabel,
    maxLines: options.maxLines,
    maxChars: options.maxChars,
  });
  const bufferLevel = level === 'silent' ? 'silent' : (options.bufferLevel ?? 'debug');
  const logger = pino(loggerOptions(level, bufferLevel, options.base), requestLogs);
  const logController = new SampledLogController({
    logs: requestLogs,
    sampleRate: options.sampleRate,
    requestIdLogLabel,
    ...(options.slowMs === undefined ? {} : { slowMs: options.slowMs }),
    ...(options.spanContextOf === undefined ? {} : { spanContextOf: options.spanContextOf }),
  });
  return { logger, logController, requestLogs };
}
