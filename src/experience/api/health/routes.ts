/**
 * Health routes for orchestrators. `/healthz` (liveness) answers whenever the process can run a handler;
 * `/readyz` (readiness) answers 200 only when every data-plane probe does within the probe timeout, otherwise
 * 503 GALLEY_NOT_READY naming the failing checks. Both are exempt from load shedding: a busy process is still
 * alive, and readiness must report dependencies, not CPU.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { readinessProbes } from '../../../data/dataPlane.ts';
import { GalleyError } from '../../errors/errors.ts';
import { SHEDDING_EXEMPT } from '../../http/loadShedding.ts';
import { problemResponse } from '../../http/problem.ts';
import { quieterLogLevel } from '../../http/serverOptions.ts';
import type { ApiContext } from '../index.ts';
import { checkReadiness, PROBE_TIMEOUT_MS } from './readiness.ts';
import { LivenessSchema, NotReadyProblemSchema, ReadinessSchema } from './schemas.ts';

/** Options of the health plugin. */
export interface HealthOptions extends ApiContext {
  /** Time each probe may take; default PROBE_TIMEOUT_MS. */
  readonly probeTimeoutMs?: number;
}

/** Registers `GET /healthz` and `GET /readyz`. */
export const healthRoutes: FastifyPluginAsyncTypebox<HealthOptions> = async (app, options) => {
  const probes = readinessProbes(options.plane);
  const probeTimeoutMs = options.probeTimeoutMs ?? PROBE_TIMEOUT_MS;
  // Probes arrive every few seconds; log only their warnings.
  const logLevel = quieterLogLevel(app.log.level, 'warn');

  app.get(
    '/healthz',
    {
      config: SHEDDING_EXEMPT,
      logLevel,
      schema: { tags: ['health'], summary: 'Liveness', response: { 200: LivenessSchema } },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: SHEDDING_EXEMPT,
      logLevel,
      schema: {
        tags: ['health'],
        summary: 'Readiness: store, kv and queue answer',
        response: {
          200: ReadinessSchema,
          503: problemResponse('A dependency did not answer (GALLEY_NOT_READY)', NotReadyProblemSchema),
        },
      },
    },
    async (request) => {
      const report = await checkReadiness(probes, probeTimeoutMs, request.log);
      if (report.ready) return { status: 'ready' as const, checks: report.checks };
      const failing = Object.entries(report.checks).filter(([, state]) => state !== 'ok');
      throw new GalleyError('GALLEY_NOT_READY', `Not ready: ${failing.map(([n, s]) => `${n} ${s}`).join(', ')}`, {
        extensions: { checks: report.checks },
      });
    },
  );
};
