/**
 * Sign-in routes: the OAuth/OIDC server at /oauth (with Galley's login, consent and device pages) and the
 * per-tenant upstream SSO round trip at /auth/sso, wired to each other — the login page lists the tenant's
 * upstream providers, and a successful upstream sign-in finishes the pending OIDC interaction.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { finishLoginAndRedirect } from '../../auth/interactions/finishLogin.ts';
import { createOauthRoutes } from '../../auth/oidc/oauthRoutes.ts';
import { ssoProvidersForLogin, ssoRoutes } from '../../auth/sso/ssoRoutes.ts';
import type { ApiContext } from '../index.ts';

/** The OAuth server and upstream SSO, in one plugin. */
export const signInRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, context) => {
  await app.register(
    createOauthRoutes({
      metrics: context.metrics,
      ssoProviders: (slug, c) => ssoProvidersForLogin(c.store, slug, c.publicUrl, c.interactionUid),
    }),
    context,
  );
  await app.register(ssoRoutes, {
    config: context.config,
    plane: context.plane,
    secret: context.secret,
    metrics: context.metrics,
    onAuthenticated: finishLoginAndRedirect(context.plane.store),
  });
};
