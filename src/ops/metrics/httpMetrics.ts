/**
 * RED metrics for every request: one onResponse hook records the request counter (method, route template,
 * status class) and the duration histogram (method, route template). The route label is Fastify's route template
 * (`request.routeOptions.url`, prefix included), or `unmatched` for requests no route matched — never the raw URL.
 * Duration is `reply.elapsedTime`, which Fastify starts before any onRequest hook runs, so requests refused by an
 * early hook (load shedding, auth) are timed too.
 *
 * The plugin skips encapsulation (`skip-override`, as Fastify documents for plugins that decorate or hook the
 * parent) so its hook applies to every route of the instance it is registered on; register it on the root
 * instance. Requests Fastify rejects before routing (a malformed URL answered by `frameworkErrors`) have no route
 * context, never reach onResponse, and are not counted.
 */
import type { FastifyInstance, FastifyPluginCallback } from 'fastify';
import type { GalleyMetrics } from './registry.ts';

/** Options of httpMetricsPlugin. */
export interface HttpMetricsOptions {
  readonly metrics: GalleyMetrics;
}

function httpMetrics(app: FastifyInstance, options: HttpMetricsOptions, done: (error?: Error) => void): void {
  const { metrics } = options;
  app.addHook('onResponse', (request, reply, next) => {
    metrics.recordHttp({
      method: request.method,
      route: request.is404 ? undefined : request.routeOptions.url,
      statusCode: reply.statusCode,
      seconds: reply.elapsedTime / 1000,
    });
    next();
  });
  done();
}

/** Fastify plugin recording RED metrics for every route of the instance it is registered on. */
export const httpMetricsPlugin: FastifyPluginCallback<HttpMetricsOptions> = Object.assign(httpMetrics, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'galley-http-metrics',
});
