/**
 * The authorization server over real HTTP on every backend: discovery, the login form, authorization code with
 * PKCE (and its refusals), the token contract's claims verified against the published JWKS.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { buildTenant, buildUser } from '../../../../test/factories.ts';
import { BACKENDS } from '../../../../test/support/backends.ts';
import { grantMembership } from '../../../content/identity/membershipGranter.ts';
import type { TenantsTable, UsersTable } from '../../../data/store/schema.ts';
import { GalleyError } from '../../errors/errors.ts';
import { finishLoginInteraction } from '../interactions/finishLogin.ts';
import { ACCESS_TOKEN_TTL_S, GALLEY_API_AUDIENCE, issuerOf } from '../tokenContract.ts';
import {
  authorizeUrl,
  Browser,
  follow,
  locationOf,
  type OauthHarness,
  pkce,
  signInForCode,
  startOauthServer,
  webTokenRequest,
} from './oauthHarness.ts';
import { WEB_CLIENT_ID, webRedirectUri } from './staticClients.ts';

const PASSWORD = 'correct horse battery staple';

for (const backend of BACKENDS) {
  describe(`authorization code + PKCE over HTTP (${backend})`, () => {
    let h: OauthHarness;
    let tenant: TenantsTable;
    let other: TenantsTable;
    let user: UsersTable;
    before(async () => {
      h = await startOauthServer(backend);
      tenant = await buildTenant(h.plane.store.db);
      other = await buildTenant(h.plane.store.db);
      user = await buildUser(h.plane.store.db, { tenantId: tenant.id, role: 'editor', password: PASSWORD });
    });
    after(async () => {
      await h.close();
    });

    test('discovery names the issuer and absolute endpoints under /oauth', async () => {
      const response = await fetch(`${h.base}/oauth/.well-known/openid-configuration`);
      assert.equal(response.status, 200);
      const meta = (await response.json()) as Record<string, unknown>;
      assert.equal(meta.issuer, issuerOf(h.config));
      assert.equal(meta.token_endpoint, `${h.base}/oauth/token`);
      assert.equal(meta.jwks_uri, `${h.base}/oauth/jwks`);
      assert.equal(meta.device_authorization_endpoint, `${h.base}/oauth/device/auth`);
      assert.equal(meta.introspection_endpoint, `${h.base}/oauth/token/introspection`);
      assert.equal(meta.revocation_endpoint, `${h.base}/oauth/token/revocation`);
      assert.equal(meta.end_session_endpoint, `${h.base}/oauth/session/end`);
      assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
      assert.deepEqual(meta.response_types_supported, ['code']);
    });

    test('sign-in with PKCE yields tokens that carry the contract claims', async () => {
      const { verifier, challenge } = pkce();
      const code = await signInForCode(h, { email: user.email, password: PASSWORD }, challenge);
      const response = await webTokenRequest(h, {
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: webRedirectUri(h.config),
      });
      const tokens = (await response.json()) as Record<string, string>;
      assert.equal(response.status, 200, JSON.stringify(tokens));
      assert.ok(tokens.refresh_token, 'a refresh token');
      assert.ok(tokens.id_token, 'an ID token');
      const at = tokens.access_token ?? '';
      const header = decodeProtectedHeader(at);
      assert.equal(header.alg, 'ES256');
      assert.equal(header.typ, 'at+jwt');
      assert.ok(header.kid);
      const jwks = createRemoteJWKSet(new URL(`${h.base}/oauth/jwks`));
      const { payload } = await jwtVerify(at, jwks, {
        issuer: issuerOf(h.config),
        audience: GALLEY_API_AUDIENCE(h.config),
        typ: 'at+jwt',
      });
      assert.equal(payload.sub, user.id);
      assert.equal(payload.tid, tenant.id);
      assert.equal(payload.role, 'editor');
      assert.equal(payload.client_id, WEB_CLIENT_ID);
      assert.equal(payload.scope, 'api');
      assert.equal(typeof payload.jti, 'string');
      assert.equal(typeof payload.gid, 'string');
      assert.equal(typeof payload.sid, 'string');
      assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), ACCESS_TOKEN_TTL_S);
      const id = await jwtVerify(tokens.id_token ?? '', jwks, { issuer: issuerOf(h.config), audience: WEB_CLIENT_ID });
      assert.equal(id.payload.sub, user.id);
    });

    test('a wrong code_verifier is refused', async () => {
      const { challenge } = pkce();
      const code = await signInForCode(h, { email: user.email, password: PASSWORD }, challenge);
      const response = await webTokenRequest(h, {
        grant_type: 'authorization_code',
        code,
        code_verifier: pkce().verifier,
        redirect_uri: webRedirectUri(h.config),
      });
      assert.equal(response.status, 400);
      assert.equal(((await response.json()) as { error: string }).error, 'invalid_grant');
    });

    for (const [name, params] of [
      ['without code_challenge', { code_challenge: undefined, code_challenge_method: undefined }],
      ['with the plain method', { code_challenge_method: 'plain' }],
    ] as const) {
      test(`an authorization request ${name} is rejected`, async () => {
        const { challenge } = pkce();
        const response = await new Browser().request(authorizeUrl(h.base, challenge, params));
        const callback = new URL(locationOf(response, h.base));
        assert.equal(callback.origin + callback.pathname, webRedirectUri(h.config));
        assert.equal(callback.searchParams.get('error'), 'invalid_request');
        assert.equal(callback.searchParams.get('code'), null);
      });
    }

    test('a wrong password shows the login page again with an error', async () => {
      const browser = new Browser();
      const start = await follow(browser, h.base, authorizeUrl(h.base, pkce().challenge));
      const posted = await browser.request(`${start.url}/login`, {
        method: 'POST',
        form: { email: user.email, password: 'wrong password', tenant: '' },
      });
      assert.equal(posted.status, 401);
      assert.match(await posted.text(), /Email or password is incorrect/);
    });

    test('a tenant the user is not a member of is refused on the page', async () => {
      const browser = new Browser();
      const start = await follow(browser, h.base, authorizeUrl(h.base, pkce().challenge));
      const posted = await browser.request(`${start.url}/login`, {
        method: 'POST',
        form: { email: user.email, password: PASSWORD, tenant: other.slug },
      });
      assert.equal(posted.status, 403);
      assert.match(await posted.text(), /not a member/);
    });

    test('a member of several tenants picks one on the tenant page; another tenant later gets its own grant', async () => {
      await grantMembership({
        db: h.plane.store.db,
        tenantId: other.id,
        userId: user.id,
        role: 'viewer',
        actor: 'test',
      });
      const browser = new Browser();
      const { verifier, challenge } = pkce();
      const start = await follow(browser, h.base, authorizeUrl(h.base, challenge));
      const posted = await browser.request(`${start.url}/login`, {
        method: 'POST',
        form: { email: user.email, password: PASSWORD, tenant: '' },
      });
      const choice = await follow(browser, h.base, locationOf(posted, h.base));
      assert.equal(choice.response.status, 200);
      const page = await choice.response.text();
      assert.match(page, /name="tenant_id"/);
      assert.match(page, new RegExp(other.slug));
      const chosen = await browser.request(`${choice.url}/confirm`, {
        method: 'POST',
        form: { tenant_id: other.id, decision: 'allow' },
      });
      const done = await follow(browser, h.base, locationOf(chosen, h.base));
      const code = new URL(locationOf(done.response, h.base)).searchParams.get('code') ?? '';
      const first = await webTokenRequest(h, {
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: webRedirectUri(h.config),
      });
      const firstClaims = decodeJwt(((await first.json()) as { access_token: string }).access_token);
      assert.equal(firstClaims.tid, other.id);
      assert.equal(firstClaims.role, 'viewer');

      // Same browser session, now asking for the first tenant by slug: no login, a grant of its own.
      const second = pkce();
      const again = await follow(browser, h.base, authorizeUrl(h.base, second.challenge, { tenant: tenant.slug }));
      const code2 = new URL(locationOf(again.response, h.base)).searchParams.get('code') ?? '';
      const exchanged = await webTokenRequest(h, {
        grant_type: 'authorization_code',
        code: code2,
        code_verifier: second.verifier,
        redirect_uri: webRedirectUri(h.config),
      });
      const claims = decodeJwt(((await exchanged.json()) as { access_token: string }).access_token);
      assert.equal(claims.tid, tenant.id);
      assert.equal(claims.role, 'editor');
      assert.notEqual(claims.gid, firstClaims.gid);
    });

    test('an SSO callback completes the login with finishLoginInteraction', async () => {
      const browser = new Browser();
      const { verifier, challenge } = pkce();
      const start = await follow(browser, h.base, authorizeUrl(h.base, challenge, { tenant: tenant.slug }));
      const uid = start.url.split('/').at(-1) ?? '';
      const returnTo = await finishLoginInteraction({
        store: h.plane.store,
        uid,
        accountId: user.id,
        tenantId: tenant.id,
        amr: ['fed'],
      });
      const done = await follow(browser, h.base, returnTo);
      const code = new URL(locationOf(done.response, h.base)).searchParams.get('code') ?? '';
      const response = await webTokenRequest(h, {
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: webRedirectUri(h.config),
      });
      const claims = decodeJwt(((await response.json()) as { access_token: string }).access_token);
      assert.equal(claims.sub, user.id);
      assert.equal(claims.tid, tenant.id);
      await assert.rejects(
        finishLoginInteraction({ store: h.plane.store, uid, accountId: user.id, tenantId: tenant.id }),
        (error: unknown) => error instanceof GalleyError && error.code === 'GALLEY_AUTH_INTERACTION_EXPIRED',
      );
    });

    test('/device redirects to the verification page', async () => {
      const response = await fetch(`${h.base}/device`, { redirect: 'manual' });
      assert.equal(new URL(locationOf(response, h.base)).pathname, '/oauth/device');
    });
  });
}
