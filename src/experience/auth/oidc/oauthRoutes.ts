/**
 * Mounts the authorization server in Fastify.
 *
 * - `/oauth/*` (and `/oauth`) are handed to oidc-provider raw: the route's onRequest hook hijacks the reply
 *   before Fastify reads the body, strips the `/oauth` prefix (the provider routes relative to its issuer path
 *   and builds absolute URLs from the issuer) and lets the provider answer. Discovery is at
 *   `/oauth/.well-known/openid-configuration`.
 * - `/oauth/interaction/:uid…` are Galley's own login and consent routes (interactions/), and
 *   `/oauth/token/introspection` and `/oauth/token/revocation` first handle JWT access tokens, which the
 *   provider refuses to (structuredTokens.ts).
 * - `/device` redirects to the device verification page (`/oauth/device`).
 */
import type { IncomingMessage } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GalleyMetrics } from '../../../ops/metrics/registry.ts';
import type { ApiContext } from '../../api/index.ts';
import { PAGE_HEADERS } from '../interactions/html.ts';
import { registerInteractionRoutes, type SsoProvidersHook } from '../interactions/interactionRoutes.ts';
import { issuerOf } from '../tokenContract.ts';
import { createOidcProvider, type GalleyOidc } from './oidcProvider.ts';
import { registerStructuredTokenRoutes } from './structuredTokens.ts';

/** What the lead wires in beyond the ApiContext. */
export interface OauthRoutesExtras {
  readonly metrics?: GalleyMetrics;
  /** Lists a tenant's upstream identity providers on the login page. */
  readonly ssoProviders?: SsoProvidersHook;
  /** Overrides GALLEY_REFRESH_GRACE_S. */
  readonly refreshGraceSeconds?: number;
  /** Receives the server once it has started (on the first /oauth request). */
  readonly onReady?: (oidc: GalleyOidc) => void;
}

const PROVIDER_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'] as const;

/** Headers oidc-provider's own responses get (Fastify's helmet does not reach hijacked replies). */
const RAW_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'x-content-type-options': PAGE_HEADERS['x-content-type-options'] ?? 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': PAGE_HEADERS['content-security-policy'] ?? "default-src 'none'",
});

/** Builds the route plugin; `API_ROUTES` registers `createOauthRoutes()` (the lead passes the extras). */
export function createOauthRoutes(extras: OauthRoutesExtras = {}): FastifyPluginAsyncTypebox<ApiContext> {
  return async (app, { config, plane }) => {
    const refreshGraceSeconds = extras.refreshGraceSeconds ?? config.refreshGraceSeconds;
    const clientIps = new WeakMap<IncomingMessage, string>();
    // Built on first use, so an app that never serves /oauth (edge tests on plane doubles) never opens it; a
    // failed start is retried by the next request.
    let started: Promise<GalleyOidc> | undefined;
    const oidc = (): Promise<GalleyOidc> => {
      started ??= createOidcProvider({
        config,
        store: plane.store,
        kv: plane.kv,
        ...(extras.metrics === undefined ? {} : { metrics: extras.metrics }),
        refreshGraceSeconds,
        clientIp: (req) => clientIps.get(req),
      }).then(
        (server) => {
          extras.onReady?.(server);
          return server;
        },
        (error: unknown) => {
          started = undefined;
          throw error;
        },
      );
      return started;
    };
    app.addHook('onClose', async () => {
      const server = await started?.catch(() => undefined);
      await server?.close();
    });
    const basePath = new URL(issuerOf(config)).pathname;
    const publicOrigin = new URL(config.publicUrl);

    // Forms of the interaction and token routes; the encapsulated parser affects this plugin only.
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 64 * 1024 },
      (_request, body, done) => {
        done(null, parseQuery(String(body)));
      },
    );

    /** Hands a request to the provider; `raw` replaces the original when Fastify already read its body. */
    const forward = (request: FastifyRequest, reply: FastifyReply, raw: IncomingMessage = request.raw): void => {
      reply.hijack();
      clientIps.set(raw, request.ip);
      const originalUrl = raw.url ?? '/';
      const url = originalUrl.slice(basePath.length);
      raw.url = url.startsWith('/') ? url : `/${url}`;
      // Express-style mount information (the provider derives its path prefix from it), and the public origin
      // for every URL it builds, whatever Host or X-Forwarded-* the client sent.
      Object.assign(raw, { originalUrl, baseUrl: basePath });
      raw.headers['x-forwarded-host'] = publicOrigin.host;
      raw.headers['x-forwarded-proto'] = publicOrigin.protocol.slice(0, -1);
      for (const [name, value] of Object.entries(RAW_HEADERS)) reply.raw.setHeader(name, value);
      oidc()
        .then((server) => server.handle(raw, reply.raw))
        .catch((error: unknown) => {
          request.log.error({ err: error }, 'authorization server failed');
          if (!reply.raw.headersSent) reply.raw.writeHead(500, { 'content-type': 'application/json' });
          reply.raw.end(JSON.stringify({ error: 'server_error' }));
        });
    };
    const handOver = (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
      forward(request, reply);
      done();
    };
    const unreachable = async () => undefined;
    for (const url of [basePath, `${basePath}/*`]) {
      app.route({
        method: [...PROVIDER_METHODS],
        url,
        schema: { hide: true },
        onRequest: handOver,
        handler: unreachable,
      });
    }

    registerInteractionRoutes(app, {
      oidc,
      publicUrl: config.publicUrl,
      ...(extras.metrics === undefined ? {} : { metrics: extras.metrics }),
      ...(extras.ssoProviders === undefined ? {} : { ssoProviders: extras.ssoProviders }),
    });
    registerStructuredTokenRoutes(app, { oidc, basePath, forward });

    app.get('/device', { schema: { hide: true } }, async (request, reply) => {
      const query = request.raw.url?.includes('?') ? request.raw.url.slice(request.raw.url.indexOf('?')) : '';
      return reply.redirect(`${basePath}/device${query}`, 303);
    });
  };
}

/** The route plugin with no extras (no metrics, no SSO providers). */
export const oauthRoutes: FastifyPluginAsyncTypebox<ApiContext> = createOauthRoutes();
