/**
 * The API's route plugins, registered in order by buildApp after the edge plugins (errors, security headers,
 * limits, load shedding, OpenAPI). This is the one place a new resource is wired in: write
 * `api/<resource>/routes.ts` exporting a `FastifyPluginAsyncTypebox<ApiContext>` and add one line here. Each plugin
 * receives the ApiContext as options, runs in its own encapsulated scope, and appears in /openapi.json.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Config } from '../../config/config.ts';
import type { DataPlane } from '../../data/dataPlane.ts';
import type { GalleyMetrics } from '../../ops/metrics/registry.ts';
import { bffRoutes } from '../auth/bff/routes.ts';
import { accountRecoveryRoutes } from '../auth/recovery/routes.ts';
import { aiRoutes } from './ai/routes.ts';
import { signInRoutes } from './auth/routes.ts';
import { deliveryRoutes } from './delivery/routes.ts';
import { entryRoutes } from './entries/routes.ts';
import { evalRoutes } from './evals/routes.ts';
import { healthRoutes } from './health/routes.ts';
import { opsRoutes } from './ops/routes.ts';
import { webhookRoutes } from './webhooks/routes.ts';

/** Dependencies every route plugin receives as its options. */
export interface ApiContext {
  readonly config: Config;
  readonly plane: DataPlane;
  /** The process's metrics registry (record auth, webhook and AI outcomes here). */
  readonly metrics: GalleyMetrics;
  /** The master secret (see auth/secrets.ts). */
  readonly secret: string;
}

/** A route plugin of the API. */
export interface ApiRoutes {
  /** Short name, for logs and plugin listings. */
  readonly name: string;
  readonly plugin: FastifyPluginAsyncTypebox<ApiContext>;
  /** URL prefix, e.g. `/v1`; none for the health routes. */
  readonly prefix?: string;
}

/** Every route plugin, in registration order. */
export const API_ROUTES: readonly ApiRoutes[] = Object.freeze([
  { name: 'health', plugin: healthRoutes },
  { name: 'account-recovery', plugin: accountRecoveryRoutes },
  { name: 'sign-in', plugin: signInRoutes },
  { name: 'web-session', plugin: bffRoutes },
  { name: 'webhooks', plugin: webhookRoutes, prefix: '/api/v1' },
  { name: 'entries', plugin: entryRoutes, prefix: '/api/v1' },
  { name: 'ai', plugin: aiRoutes, prefix: '/api/v1' },
  { name: 'evals', plugin: evalRoutes, prefix: '/api/v1' },
  { name: 'delivery', plugin: deliveryRoutes, prefix: '/cdn/v1' },
  { name: 'ops', plugin: opsRoutes, prefix: '/api/v1' },
]);

/** The routes a worker-only process serves on GALLEY_OPS_PORT: health and ops (the app adds /metrics). */
export const OPS_ROUTES: readonly ApiRoutes[] = Object.freeze(
  API_ROUTES.filter((r) => r.name === 'health' || r.name === 'ops'),
);
