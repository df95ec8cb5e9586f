/**
 * Fastify server options derived from the Config: limits, timeouts, request ids, logging and the problem+json
 * handlers for errors raised outside routes.
 */
import type { Server } from 'node:http';
import { type FastifyHttpOptions, LogController } from 'fastify';
import type { Config } from '../../config/config.ts';
import type { Logging } from '../../ops/logging/logger.ts';
import { clientErrorHandler, frameworkErrors } from './errorHandling.ts';
import { requestIdFor } from './requestId.ts';

/** Logger choice for buildApp: false = none, true = pino at config.logLevel, object = Fastify/pino logger options. */
export type LoggerOption = NonNullable<FastifyHttpOptions<Server>['logger']>;

/** Pino levels from most to least verbose. */
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** A pino level name. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The less verbose of two levels, for a route's `logLevel`: a route may quieten its own logs (health probes) but
 * must never log more than the configured level (a route level overrides the instance level in Fastify).
 */
export function quieterLogLevel(configured: string | undefined, wanted: LogLevel): LogLevel {
  const level = LOG_LEVELS.find((l) => l === configured);
  return level !== undefined && LOG_LEVELS.indexOf(level) > LOG_LEVELS.indexOf(wanted) ? level : wanted;
}

/**
 * How often Node checks requestTimeout/headersTimeout. Node's default is 30 s, which would let a slow client hold
 * a socket for up to requestTimeout + 30 s; a quarter of the timeout (250 ms–5 s) keeps the bound tight and cheap.
 */
export function connectionsCheckingIntervalMs(requestTimeoutMs: number): number {
  return Math.min(5_000, Math.max(250, Math.floor(requestTimeoutMs / 4)));
}

/** Builds the options passed to `fastify()`. */
export function serverOptions(
  config: Config,
  logger: LoggerOption | undefined,
  logging?: Logging,
): FastifyHttpOptions<Server> {
  return {
    // Fastify refuses `logger` and `loggerInstance` together: the sampled logger replaces the default one.
    ...(logging === undefined
      ? {
          logger: logger === undefined || logger === true ? { level: config.logLevel } : logger,
          logController: new LogController({ requestIdLogLabel: 'requestId' }),
        }
      : { loggerInstance: logging.logger, logController: logging.logController }),
    bodyLimit: config.bodyLimitBytes,
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.connectionTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    http: {
      connectionsCheckingInterval: connectionsCheckingIntervalMs(config.requestTimeoutMs),
      // Headers must arrive within the request timeout too (Node requires headersTimeout ≤ requestTimeout).
      headersTimeout: config.requestTimeoutMs,
    },
    genReqId: requestIdFor,
    // Draining is handled by shutdown.ts, which answers late arrivals with a problem+json 503 instead.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    frameworkErrors,
    clientErrorHandler,
  };
}
