/**
 * Upstream SSO finishing a Galley authorization over real HTTP on every backend: the login page lists the
 * tenant's provider, the SSO routes sign the person in at a real upstream oidc-provider, and their
 * `onAuthenticated` hook (finishLoginAndRedirect) resumes the authorization, which ends in a code for a token of
 * the tenant.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { buildTenant } from '../../../../test/factories.ts';
import { BACKENDS } from '../../../../test/support/backends.ts';
import { startUpstreamIdp, type UpstreamIdp } from '../../../../test/support/upstreamIdp.ts';
import type { TenantsTable } from '../../../data/store/schema.ts';
import { finishLoginAndRedirect } from '../interactions/finishLogin.ts';
import { addSsoProvider } from '../sso/ssoProviders.ts';
import { ssoProvidersForLogin, ssoRoutes } from '../sso/ssoRoutes.ts';
import {
  authorizeUrl,
  Browser,
  follow,
  locationOf,
  type OauthHarness,
  pkce,
  startOauthServer,
  webTokenRequest,
} from './oauthHarness.ts';
import { webRedirectUri } from './staticClients.ts';

for (const backend of BACKENDS) {
  describe(`sign-in through an upstream IdP (${backend})`, () => {
    let h: OauthHarness;
    let idp: UpstreamIdp;
    let tenant: TenantsTable;
    before(async () => {
      h = await startOauthServer(
        backend,
        {
          ssoProviders: (slug, context) =>
            ssoProvidersForLogin(context.store, slug, context.publicUrl, context.interactionUid),
        },
        async (app, config, plane) => {
          idp = await startUpstreamIdp({
            redirectUri: `${config.publicUrl}/auth/sso/callback`,
            accounts: [{ email: 'alice@news.example', emailVerified: true, name: 'Alice' }],
          });
          tenant = await buildTenant(plane.store.db);
          await addSsoProvider({
            db: plane.store.db,
            secret: config.secret ?? '',
            tenantId: tenant.id,
            name: 'News IdP',
            issuer: idp.issuer,
            clientId: idp.clientId,
            clientSecret: idp.clientSecret,
            domains: ['news.example'],
            defaultRole: 'author',
            actor: 'system',
          });
          await app.register(ssoRoutes, {
            config,
            plane,
            secret: config.secret ?? '',
            onAuthenticated: finishLoginAndRedirect(plane.store),
          });
        },
      );
    });
    after(async () => {
      await h.close();
      await idp.close();
    });

    test('login page → upstream → callback → code → token of the tenant', async () => {
      const browser = new Browser();
      const { verifier, challenge } = pkce();
      const login = await follow(browser, h.base, authorizeUrl(h.base, challenge, { tenant: tenant.slug }));
      const page = await login.response.text();
      const link = /<a href="([^"]+)">News IdP<\/a>/.exec(page)?.[1]?.replaceAll('&amp;', '&');
      assert.ok(link, 'the login page offers the provider');
      const uid = login.url.split('/').at(-1) ?? '';
      assert.ok(new URL(link).searchParams.get('interaction') === uid, 'the link carries the interaction');

      const start = await browser.request(link);
      idp.nextLogin = 'alice@news.example';
      const callback = await idp.authorize(locationOf(start, h.base));
      const back = await browser.request(callback.href);
      const done = await follow(browser, h.base, locationOf(back, h.base));
      const code = new URL(locationOf(done.response, h.base)).searchParams.get('code') ?? '';
      const response = await webTokenRequest(h, {
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: webRedirectUri(h.config),
      });
      const body = (await response.json()) as { access_token: string };
      assert.equal(response.status, 200, JSON.stringify(body));
      const claims = decodeJwt(body.access_token);
      assert.equal(claims.tid, tenant.id);
      assert.equal(claims.role, 'author');
      const user = await h.plane.store.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', 'alice@news.example')
        .executeTakeFirstOrThrow();
      assert.equal(claims.sub, user.id);
    });
  });
}
