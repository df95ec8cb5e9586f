/**
 * `buildApp(config, plane)` assembles the HTTP application: the edge (request ids, draining, problem+json errors,
 * security headers, body limit and timeouts, load shedding, OpenAPI) and then every API route plugin listed in
 * `experience/api/index.ts`. It never listens: `galley serve` calls `listen`, tests use `app.inject`.
 */
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import { type Config, metricsAccess } from './config/config.ts';
import type { DataPlane } from './data/dataPlane.ts';
import { API_ROUTES, type ApiRoutes } from './experience/api/index.ts';
import { ensureSigningKey, loadKeySet } from './experience/auth/keys/signingKeys.ts';
import { loadSecret } from './experience/auth/secrets.ts';
import { GALLEY_API_AUDIENCE, issuerOf } from './experience/auth/tokenContract.ts';
import { authenticatePlugin } from './experience/auth/verify/authenticate.ts';
import { createTokenVerifier, type TokenVerifier } from './experience/auth/verify/tokenVerifier.ts';
import { installProblemHandlers } from './experience/http/errorHandling.ts';
import { registerLoadShedding } from './experience/http/loadShedding.ts';
import { registerOpenApi, registerOpenApiRoute } from './experience/http/openapi.ts';
import { installRequestIdEcho } from './experience/http/requestId.ts';
import { API_HELMET_OPTIONS } from './experience/http/security.ts';
import { registerSecurityHeaders } from './experience/http/securityHeaders.ts';
import { type LoggerOption, serverOptions } from './experience/http/serverOptions.ts';
import { installDraining } from './experience/http/shutdown.ts';
import { QUEUE_NAMES } from './experience/workers.ts';
import { createLogging, type Logging } from './ops/logging/logger.ts';
import { requestLogScopePlugin } from './ops/logging/requestScope.ts';
import { httpMetricsPlugin } from './ops/metrics/httpMetrics.ts';
import { metricsRoutePlugin } from './ops/metrics/metricsRoute.ts';
import { createMetrics, type GalleyMetrics } from './ops/metrics/registry.ts';
import { httpTracingPlugin, requestSpanContext } from './ops/tracing/httpTracing.ts';
import { activeTracer } from './ops/tracing/spans.ts';

export { drainAndClose } from './experience/http/shutdown.ts';

/** Options of buildApp. */
export interface BuildAppOptions {
  /** false = no logging, true/absent = pino at config.logLevel, object = pino options. */
  readonly logger?: LoggerOption;
  /**
   * The process's metrics registry, shared with its workers. When absent, buildApp creates one (without
   * prom-client's process-wide default collectors, which cannot be stopped) and closes it with the app.
   */
  readonly metrics?: GalleyMetrics;
  /**
   * Verifies bearer tokens. When absent, buildApp verifies against this store's signing keys with the issuer and
   * audience derived from the configuration (what production uses); tests may pass one over other keys.
   */
  readonly verifier?: TokenVerifier;
  /** Route plugins to register; defaults to API_ROUTES (tests leave one out to register their own variant). */
  readonly routes?: readonly ApiRoutes[];
  /** The process's sampled logger (serve shares one with the workers); created here when absent. */
  readonly logging?: Logging;
}

/** The sampled logging a process gets from its configuration (serve shares one between the app and the workers). */
export function configuredLogging(config: Config): Logging {
  return createLogging({
    level: config.logLevel,
    sampleRate: config.logSampleRate,
    slowMs: config.logSlowMs,
    spanContextOf: requestSpanContext,
  });
}

/**
 * Builds the Fastify application. Plugins are loaded but `ready()` is not called, so a caller (a test) may still
 * add routes; they inherit the edge behaviour. Schemas are validated by TypeBox's compiler, so what a route
 * receives is exactly its `Static<typeof Schema>` type: bodies are not coerced, defaults are not filled in and
 * unknown properties are not stripped (use `additionalProperties: false` to reject them); querystring, params and
 * headers are converted to the schema's types first.
 */
export async function buildApp(
  config: Config,
  plane: DataPlane,
  options: BuildAppOptions = {},
): Promise<FastifyInstance> {
  // Sampled logging applies to the default logger only; `logger: false` or explicit pino options opt out.
  const logging =
    options.logger === undefined || options.logger === true
      ? (options.logging ?? configuredLogging(config))
      : undefined;
  const app = Fastify(serverOptions(config, options.logger, logging));
  app.setValidatorCompiler(TypeBoxValidatorCompiler);

  // Root hooks run in this order for every request, before any plugin's.
  installRequestIdEcho(app);
  installDraining(app);
  installProblemHandlers(app);
  // Server spans when tracing runs (startTracing); before the log scope, so both nest the same way at each hook.
  if (activeTracer() !== undefined) await app.register(httpTracingPlugin);
  if (logging !== undefined) await app.register(requestLogScopePlugin, { logs: logging.requestLogs });

  const metrics = options.metrics ?? createMetrics({ collectDefault: false });
  if (options.metrics === undefined) app.addHook('onClose', async () => metrics.close());
  metrics.useSources({
    caches: plane.caches,
    queues: { names: () => QUEUE_NAMES, stats: (queue) => plane.queue.stats(queue) },
  });
  await app.register(httpMetricsPlugin, { metrics });
  await app.register(metricsRoutePlugin, { metrics, ...metricsAccess(config) });

  registerSecurityHeaders(app, API_HELMET_OPTIONS);
  await registerLoadShedding(app, config.maxEventLoopDelayMs);
  await registerOpenApi(app);
  registerOpenApiRoute(app);

  // Every route sees `request.principal` (null without a bearer token); routes opt in with requireAuth.
  const secret = loadSecret(config);
  let keysReady: Promise<unknown> | undefined;
  const verifier =
    options.verifier ??
    createTokenVerifier({
      issuer: issuerOf(config),
      audience: GALLEY_API_AUDIENCE(config),
      // First use creates the signing key if no process has yet (a fresh embedded install).
      keys: async () => {
        keysReady ??= ensureSigningKey(plane.store, secret);
        await keysReady;
        return (await loadKeySet(plane.store, secret)).jwks;
      },
      kv: plane.kv,
    });
  if (options.verifier === undefined) app.addHook('onClose', async () => verifier.close());
  await app.register(authenticatePlugin, { verifier });

  // Route plugins: add new resources in experience/api/index.ts, not here.
  for (const routes of options.routes ?? API_ROUTES) {
    await app.register(routes.plugin, {
      config,
      plane,
      metrics,
      secret,
      ...(routes.prefix === undefined ? {} : { prefix: routes.prefix }),
    });
  }
  return app;
}
