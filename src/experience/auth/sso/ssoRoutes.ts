/**
 * Upstream SSO routes. A person on Galley's login page picks one of the tenant's providers:
 *
 * - `GET /auth/sso/:tenant/:provider/start?interaction=<uid>` keeps state, nonce and PKCE verifier server-side
 *   (ssoState.ts) and redirects to the upstream's authorization endpoint;
 * - `GET /auth/sso/callback` takes the state back (unknown, expired, reused or from another browser → 400
 *   GALLEY_SSO_STATE_INVALID), exchanges the code, lets openid-client validate the ID token and nonce, signs the
 *   person in (ssoLogin.ts: verified email, just-in-time membership by domain) and hands the result to the
 *   injected `onAuthenticated`, which finishes the Galley authorization interaction and answers the browser.
 *
 * Every sign-in is counted by `recordLogin` under the one provider label `sso`: provider names and tenants are
 * unbounded and never become labels.
 */
import { performance } from 'node:perf_hooks';
import fastifyCookie from '@fastify/cookie';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import * as client from 'openid-client';
import type { Config } from '../../../config/config.ts';
import type { DataPlane } from '../../../data/dataPlane.ts';
import type { Store } from '../../../data/store/port.ts';
import type { GalleyMetrics } from '../../../ops/metrics/registry.ts';
import { GalleyError, isGalleyError } from '../../errors/errors.ts';
import { completeSsoLogin } from './ssoLogin.ts';
import { findSsoProvider, listSsoProviders } from './ssoProviders.ts';
import { SsoCallbackQuery, SsoStartParams, SsoStartQuery } from './ssoSchemas.ts';
import {
  bindingDigest,
  bindingMatches,
  newBindingValue,
  SSO_BINDING_COOKIE,
  SSO_STATE_PATTERN,
  SSO_STATE_TTL_MS,
  savePending,
  takePending,
} from './ssoState.ts';
import { createUpstreamClients, SsoError, type SsoFailureReason } from './ssoUpstream.ts';

/** Path of the redirect URI registered at every upstream: `${publicUrl}/auth/sso/callback`. */
export const SSO_CALLBACK_PATH = '/auth/sso/callback';

/** Metrics label of every SSO sign-in (bounded: never the provider's name or tenant). */
export const SSO_METRICS_PROVIDER = 'sso';

/** Who signed in, handed to `onAuthenticated`. */
export interface SsoAuthenticated {
  /** Galley user id. */
  readonly accountId: string;
  /** Tenant the sign-in is for (the provider's tenant). */
  readonly tenantId: string;
  readonly providerId: string;
  /** The Galley authorization interaction passed to the start route. */
  readonly interactionUid: string;
}

/**
 * Finishes the login interaction and answers the browser (the OIDC provider implements it). It must send the
 * reply (typically a redirect back into the authorization flow); a rejection is rendered as a problem.
 */
export type SsoAuthenticatedHook = (
  request: FastifyRequest,
  reply: FastifyReply,
  result: SsoAuthenticated,
) => Promise<void>;

/** Options of the ssoRoutes plugin. */
export interface SsoRoutesOptions {
  readonly config: Config;
  readonly plane: DataPlane;
  /** Master secret (unseals providers' client secrets). */
  readonly secret: string;
  /** The app's metrics; sign-ins are not counted when absent. */
  readonly metrics?: GalleyMetrics;
  /** Called after a successful sign-in; must send the reply. */
  readonly onAuthenticated: SsoAuthenticatedHook;
}

/** One provider as the login page offers it. */
export interface SsoLoginChoice {
  readonly id: string;
  readonly name: string;
  /** Where the provider's button links to. */
  readonly startUrl: string;
}

/** The start URL of one provider for one interaction. */
export function ssoStartUrl(publicUrl: string, tenantSlug: string, providerId: string, interactionUid: string): string {
  const path = `/auth/sso/${encodeURIComponent(tenantSlug)}/${encodeURIComponent(providerId)}/start`;
  return `${publicUrl}${path}?interaction=${encodeURIComponent(interactionUid)}`;
}

/** The tenant's providers for the login page (empty for an unknown tenant). */
export async function ssoProvidersForLogin(
  store: Store,
  tenantSlug: string,
  publicUrl: string,
  interactionUid: string,
): Promise<SsoLoginChoice[]> {
  const tenant = await store.db.selectFrom('tenants').select('id').where('slug', '=', tenantSlug).executeTakeFirst();
  if (tenant === undefined) return [];
  const providers = await listSsoProviders(store, tenant.id);
  return providers.map((p) => ({
    id: p.id,
    name: p.name,
    startUrl: ssoStartUrl(publicUrl, tenantSlug, p.id, interactionUid),
  }));
}

/** The metrics reason of any failure. */
function reasonOf(error: unknown): SsoFailureReason {
  if (error instanceof SsoError) return error.reason;
  if (isGalleyError(error)) return error.status < 500 ? 'invalid_request' : 'internal';
  return 'internal';
}

/** The callback URL as the upstream redirected to it: the public redirect URI plus the received query. */
function callbackUrlOf(publicUrl: string, rawUrl: string): URL {
  const query = rawUrl.indexOf('?');
  return new URL(`${publicUrl}${SSO_CALLBACK_PATH}${query === -1 ? '' : rawUrl.slice(query)}`);
}

const stateInvalid = (detail: string) => new SsoError('GALLEY_SSO_STATE_INVALID', 'invalid_state', detail);

/** Registers the start and callback routes. */
export const ssoRoutes: FastifyPluginAsyncTypebox<SsoRoutesOptions> = async (app, options) => {
  const { config, plane, secret, metrics, onAuthenticated } = options;
  const upstream = createUpstreamClients();
  const redirectUri = `${config.publicUrl}${SSO_CALLBACK_PATH}`;
  const cookieOptions = {
    httpOnly: true,
    secure: config.publicUrl.startsWith('https:'),
    // Lax: the upstream's redirect back is a top-level GET, which carries Lax cookies.
    sameSite: 'lax' as const,
    path: '/auth/sso',
    maxAge: SSO_STATE_TTL_MS / 1000,
  };
  // The app (or a sibling plugin) may already parse cookies; a second registration would redecorate.
  if (!app.hasRequestDecorator('cookies')) await app.register(fastifyCookie);

  const record = (outcome: 'success' | 'failure', started: number, reason?: SsoFailureReason) =>
    metrics?.recordLogin({
      provider: SSO_METRICS_PROVIDER,
      outcome,
      ...(reason === undefined ? {} : { reason }),
      seconds: (performance.now() - started) / 1000,
    });

  app.get(
    '/auth/sso/:tenant/:provider/start',
    {
      schema: {
        tags: ['auth'],
        summary: 'Start sign-in through one of the tenant’s upstream identity providers',
        params: SsoStartParams,
        querystring: SsoStartQuery,
      },
    },
    async (request, reply) => {
      const started = performance.now();
      try {
        const tenant = await plane.store.db
          .selectFrom('tenants')
          .select('id')
          .where('slug', '=', request.params.tenant)
          .executeTakeFirst();
        const provider =
          tenant === undefined
            ? undefined
            : await findSsoProvider(plane.store, secret, tenant.id, request.params.provider);
        if (tenant === undefined || provider === undefined) {
          throw new GalleyError('GALLEY_NOT_FOUND', 'no such SSO provider for this tenant');
        }
        const configuration = await upstream.configurationFor(provider);
        const state = client.randomState();
        const nonce = client.randomNonce();
        const codeVerifier = client.randomPKCECodeVerifier();
        // One binding per browser, reused across tabs so parallel sign-ins do not undo each other.
        const existing = request.cookies[SSO_BINDING_COOKIE];
        const binding = existing !== undefined && SSO_STATE_PATTERN.test(existing) ? existing : newBindingValue();
        await savePending(plane.kv, state, {
          tenantId: tenant.id,
          providerId: provider.id,
          interactionUid: request.query.interaction,
          nonce,
          codeVerifier,
          binding: bindingDigest(binding),
        });
        const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier);
        const target = upstream.authorizationUrl(configuration, redirectUri, { state, nonce, codeChallenge });
        reply.header('cache-control', 'no-store');
        return reply.setCookie(SSO_BINDING_COOKIE, binding, cookieOptions).redirect(target.href, 303);
      } catch (error) {
        record('failure', started, reasonOf(error));
        throw error;
      }
    },
  );

  app.get(
    SSO_CALLBACK_PATH,
    {
      schema: {
        tags: ['auth'],
        summary: 'Redirect URI of every upstream identity provider',
        querystring: SsoCallbackQuery,
      },
    },
    async (request, reply) => {
      const started = performance.now();
      try {
        const state = request.query.state;
        if (state === undefined) throw stateInvalid('the response carries no state');
        const pending = await takePending(plane.kv, state);
        if (pending === undefined) throw stateInvalid('the state is unknown, expired or already used');
        if (!bindingMatches(pending, request.cookies[SSO_BINDING_COOKIE])) {
          throw stateInvalid('the sign-in was started in another browser');
        }
        const provider = await findSsoProvider(plane.store, secret, pending.tenantId, pending.providerId);
        if (provider === undefined) throw stateInvalid('the SSO provider was removed during the sign-in');
        const configuration = await upstream.configurationFor(provider);
        const identity = await upstream.exchange(configuration, callbackUrlOf(config.publicUrl, request.url), {
          state,
          nonce: pending.nonce,
          codeVerifier: pending.codeVerifier,
        });
        const login = await completeSsoLogin({ db: plane.store.db, provider, identity });
        request.log.info(
          {
            providerId: provider.id,
            tenantId: provider.tenantId,
            userCreated: login.userCreated,
            joined: login.joined,
          },
          'sso sign-in',
        );
        await onAuthenticated(request, reply, {
          accountId: login.userId,
          tenantId: provider.tenantId,
          providerId: provider.id,
          interactionUid: pending.interactionUid,
        });
        record('success', started);
        return reply;
      } catch (error) {
        record('failure', started, reasonOf(error));
        throw error;
      }
    },
  );
};
