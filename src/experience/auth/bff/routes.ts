/**
 * The web editor's backend-for-frontend. The browser holds only sealed cookies (sessionCookie.ts); tokens stay
 * on the server side of the BFF:
 *
 *   GET  /bff/login?tenant=<slug>&returnTo=/path   start authorization code + PKCE as `galley-web` (303)
 *   GET  /bff/callback                             exchange the code, set the session cookie, go to returnTo (303)
 *   GET  /bff/session                              who the session is (user, tenant, role, expiry), no tokens
 *   POST /bff/logout                               revoke the refresh token (its grant), clear the cookies, and
 *                                                  answer the RP-initiated logout URL for the browser to visit
 *   *    /bff/api/<path>                           the management API at /api/<path>, with the session's token
 *
 * Access tokens expiring within `refreshWithinSeconds` are refreshed first, once per session however many
 * requests need it (sessionRefresher.ts), and the rotated set goes back in that response's cookie. State-changing
 * requests must pass the CSRF checks (csrf.ts). `createBffRoutes` also mounts `GET /api/v1/me` (meRoutes.ts).
 */
import { randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import * as client from 'openid-client';
import type { ApiContext } from '../../api/index.ts';
import { GalleyError, isGalleyError } from '../../errors/errors.ts';
import { problemResponse } from '../../http/problem.ts';
import { webRedirectUri } from '../oidc/staticClients.ts';
import { TokenRejectedError } from '../verify/claims.ts';
import { forwardToApi } from './apiProxy.ts';
import { assertNotForged } from './csrf.ts';
import { presentMe } from './mePresenter.ts';
import { meRoutes } from './meRoutes.ts';
import { createBffOidcClient } from './oidcClient.ts';
import { BffLoginQuery, BffLogoutSchema, BffSessionSchema } from './schemas.ts';
import { BFF_PATH, type BffSession, createBffCookies, type SessionRead } from './sessionCookie.ts';
import { createSessionRefresher } from './sessionRefresher.ts';

/** Options of the BFF routes. */
export interface BffOptions {
  /** Refresh the access token when it expires within this many seconds (default 30). */
  readonly refreshWithinSeconds?: number;
}

const TAGS = ['web session'];
const NO_SESSION = 'no web session; sign in at /bff/login';

/**
 * The path to return to after sign-in: a same-origin absolute path (`/…`, not `//host` or `/\host`) without
 * control characters; GALLEY_VALIDATION_FAILED otherwise, so the BFF is never an open redirector.
 */
export function safeReturnTo(value: string | undefined, publicUrl: string): string {
  if (value === undefined || value === '') return '/';
  const refuse = () =>
    new GalleyError('GALLEY_VALIDATION_FAILED', 'returnTo must be a path on this site', {
      errors: [{ field: '/returnTo', message: 'must be a same-origin path starting with /', location: 'querystring' }],
    });
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  if (!value.startsWith('/') || /^\/[/\\]|[\\\u0000-\u001f\u007f]/.test(value)) throw refuse();
  const origin = new URL(publicUrl).origin;
  const resolved = new URL(value, origin);
  if (resolved.origin !== origin) throw refuse();
  return `${resolved.pathname}${resolved.search}${resolved.hash}`;
}

function bffPlugin(options: BffOptions): FastifyPluginAsyncTypebox<ApiContext> {
  return async (app, { config, plane, secret }) => {
    if (!app.hasRequestDecorator('cookies')) await app.register(fastifyCookie);
    const publicOrigin = new URL(config.publicUrl).origin;
    const cookies = createBffCookies(secret, config.publicUrl);
    const oidc = createBffOidcClient({ app, publicUrl: config.publicUrl, secret });
    const refresher = createSessionRefresher({
      refresh: (refreshToken) => oidc.refresh(refreshToken),
      ...(options.refreshWithinSeconds === undefined ? {} : { refreshWithinSeconds: options.refreshWithinSeconds }),
    });

    // The proxy forwards bodies untouched, whatever their media type.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    const reads = new WeakMap<FastifyRequest, SessionRead>();
    const sessionOf = (request: FastifyRequest): SessionRead => {
      let read = reads.get(request);
      if (read === undefined) {
        read = cookies.readSession(request);
        reads.set(request, read);
      }
      return read;
    };

    app.addHook('onRequest', async (request, reply) => {
      reply.header('cache-control', 'no-store');
      assertNotForged(request, publicOrigin, cookies, sessionOf(request));
    });

    /** The request's session with a fresh access token (rotated into the response cookie when refreshed). */
    const freshSession = async (request: FastifyRequest, reply: FastifyReply): Promise<BffSession> => {
      const read = sessionOf(request);
      if (read.kind !== 'ok') {
        if (read.kind === 'invalid') cookies.clearSession(reply);
        throw new GalleyError('GALLEY_UNAUTHENTICATED', NO_SESSION);
      }
      try {
        const { session, refreshed } = await refresher.ensureFresh(read.session);
        if (refreshed) cookies.writeSession(reply, session);
        return session;
      } catch (error) {
        if (isGalleyError(error, 'GALLEY_UNAUTHENTICATED')) cookies.clearSession(reply);
        throw error;
      }
    };

    app.get(
      `${BFF_PATH}/login`,
      {
        schema: {
          tags: TAGS,
          summary: 'Start signing in to the web editor (redirects to the authorization server)',
          querystring: BffLoginQuery,
          response: { 400: problemResponse('returnTo is not a path on this site (GALLEY_VALIDATION_FAILED)') },
        },
      },
      async (request, reply) => {
        const returnTo = safeReturnTo(request.query.returnTo, config.publicUrl);
        const pending = {
          state: client.randomState(),
          nonce: client.randomNonce(),
          codeVerifier: client.randomPKCECodeVerifier(),
          returnTo,
        };
        const tenant = request.query.tenant?.trim();
        const target = await oidc.authorizationUrl(pending, tenant === '' ? undefined : tenant);
        cookies.writeLogin(reply, pending);
        return reply.redirect(target.href, 303);
      },
    );

    app.get(`${BFF_PATH}/callback`, { schema: { hide: true } }, async (request, reply) => {
      const pending = cookies.readLogin(request);
      cookies.clearLogin(reply);
      if (pending === undefined) {
        throw new GalleyError('GALLEY_BFF_CALLBACK_INVALID', 'no sign-in was started in this browser, or it expired');
      }
      const callbackUrl = new URL(webRedirectUri(config));
      callbackUrl.search = new URL(request.url, publicOrigin).search;
      const tokens = await oidc.exchange(callbackUrl, pending);
      cookies.writeSession(reply, { id: randomBytes(16).toString('base64url'), ...tokens });
      return reply.redirect(pending.returnTo, 303);
    });

    app.get(
      `${BFF_PATH}/session`,
      {
        schema: {
          tags: TAGS,
          summary: 'Who the web session is signed in as (never its tokens)',
          response: { 200: BffSessionSchema, 401: problemResponse('No valid session (GALLEY_UNAUTHENTICATED)') },
        },
      },
      async (request, reply) => {
        const session = await freshSession(request, reply);
        try {
          const principal = await app.tokenVerifier.verify(session.accessToken);
          return { ...(await presentMe(plane.store, principal)), csrfToken: cookies.csrfTokenFor(session.id) };
        } catch (error) {
          // A refused token (revoked grant, ended session) means the session is over for good.
          if (error instanceof TokenRejectedError) cookies.clearSession(reply);
          throw error;
        }
      },
    );

    app.post(
      `${BFF_PATH}/logout`,
      {
        schema: {
          tags: TAGS,
          summary: 'Sign out: revoke the session’s grant, clear its cookies; returns the logout URL to visit',
          response: {
            200: BffLogoutSchema,
            403: problemResponse('Cross-site request or missing X-CSRF-Token (GALLEY_CSRF_REJECTED)'),
          },
        },
      },
      async (request, reply) => {
        const read = sessionOf(request);
        // Revoke first: if the server cannot be reached the cookies stay, so the editor can retry.
        if (read.kind === 'ok') await oidc.revoke(read.session.refreshToken);
        cookies.clearSession(reply);
        return { endSessionUrl: (await oidc.endSessionUrl()).href };
      },
    );

    app.route({
      method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      url: `${BFF_PATH}/api/*`,
      schema: { hide: true },
      handler: async (request, reply) => {
        const session = await freshSession(request, reply);
        const body = Buffer.isBuffer(request.body) ? request.body : undefined;
        const proxied = await forwardToApi(app, request, session.accessToken, body);
        // The API's own Cache-Control, if it sent one, replaces the BFF's no-store.
        return reply.code(proxied.status).headers(proxied.headers).send(proxied.body);
      },
    });
  };
}

/** The BFF routes plus `GET /api/v1/me`; API_ROUTES registers `bffRoutes` (defaults). */
export function createBffRoutes(options: BffOptions = {}): FastifyPluginAsyncTypebox<ApiContext> {
  return async (app, context) => {
    await app.register(meRoutes, context);
    await app.register(bffPlugin(options), context);
  };
}

/** The BFF with default options. */
export const bffRoutes: FastifyPluginAsyncTypebox<ApiContext> = createBffRoutes();
