/**
 * Load shedding (@fastify/under-pressure): while the mean event-loop delay over the last sample window exceeds
 * `config.maxEventLoopDelayMs`, requests are refused at onRequest with 503 GALLEY_OVERLOADED and `Retry-After`,
 * before any body is read or work is started. Liveness and readiness routes opt out with `SHEDDING_EXEMPT` so an
 * orchestrator does not kill or drain a process that is merely busy. `maxEventLoopDelayMs: 0` disables shedding.
 */
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GalleyError } from '../errors/errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Per-route override read by @fastify/under-pressure; `SHEDDING_EXEMPT` lets a route run under pressure. */
    pressureHandler?: (
      request: FastifyRequest,
      reply: FastifyReply,
      type: string,
      value: number | undefined,
    ) => unknown;
  }
}

/** Seconds a shed client is asked to wait. */
export const OVERLOADED_RETRY_AFTER_SECONDS = 2;

/** How often the event-loop delay is sampled; the threshold applies to the mean over one window. */
export const PRESSURE_SAMPLE_INTERVAL_MS = 1000;

/** Route `config` that keeps a route answering while the process sheds load (health probes). */
export const SHEDDING_EXEMPT = Object.freeze({
  // under-pressure treats a nullish return as "handle the request normally".
  pressureHandler: (): undefined => undefined,
});

/** Registers load shedding on the root instance. */
export async function registerLoadShedding(app: FastifyInstance, maxEventLoopDelayMs: number): Promise<void> {
  await app.register(underPressure, {
    maxEventLoopDelay: maxEventLoopDelayMs,
    sampleInterval: PRESSURE_SAMPLE_INTERVAL_MS,
    // A rejected promise goes to next(err), i.e. to the problem error handler.
    pressureHandler: (request, _reply, type, value) => {
      request.log.warn({ type, value }, 'shedding load');
      return Promise.reject(
        new GalleyError('GALLEY_OVERLOADED', 'The server is overloaded; retry later', {
          retryAfterSeconds: OVERLOADED_RETRY_AFTER_SECONDS,
        }),
      );
    },
  });
}
