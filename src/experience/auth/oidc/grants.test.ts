/**
 * Device flow, client credentials, introspection, revocation, logout and the device-code rate limit, over real
 * HTTP on every backend.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { buildTenant, buildUser } from '../../../../test/factories.ts';
import { BACKENDS } from '../../../../test/support/backends.ts';
import { seedSandbox } from '../../../content/identity/sandboxSeeder.ts';
import type { TenantsTable, UsersTable } from '../../../data/store/schema.ts';
import { denyKey, GALLEY_API_AUDIENCE, issuerOf } from '../tokenContract.ts';
import { DEVICE_ATTEMPTS_PER_WINDOW } from './deviceRateLimit.ts';
import {
  Browser,
  follow,
  locationOf,
  type OauthHarness,
  pkce,
  signInForCode,
  startOauthServer,
  webLogin,
  webTokenRequest,
} from './oauthHarness.ts';
import { createServiceClient } from './serviceClientCreator.ts';
import {
  CLI_CLIENT_ID,
  DEVICE_CODE_GRANT,
  galleyWebClientSecret,
  WEB_CLIENT_ID,
  webRedirectUri,
} from './staticClients.ts';

const PASSWORD = 'correct horse battery staple';

function form(values: Record<string, string>): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(values).toString(),
  };
}

function xsrfOf(html: string): string {
  const match = /name="xsrf" value="([^"]+)"/.exec(html);
  assert.ok(match?.[1], 'the page carries an xsrf token');
  return match[1];
}

for (const backend of BACKENDS) {
  describe(`grants over HTTP (${backend})`, () => {
    let h: OauthHarness;
    let tenant: TenantsTable;
    let user: UsersTable;
    before(async () => {
      h = await startOauthServer(backend);
      tenant = await buildTenant(h.plane.store.db);
      user = await buildUser(h.plane.store.db, { tenantId: tenant.id, role: 'author', password: PASSWORD });
    });
    after(async () => {
      await h.close();
    });

    test('device flow: authorization, approval through /device, token poll', async () => {
      const started = await fetch(
        `${h.base}/oauth/device/auth`,
        form({ client_id: CLI_CLIENT_ID, scope: 'openid offline_access api', tenant: tenant.slug }),
      );
      const device = (await started.json()) as Record<string, string>;
      assert.equal(started.status, 200, JSON.stringify(device));
      assert.match(device.user_code ?? '', /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
      assert.equal(device.verification_uri, `${h.base}/oauth/device`);
      const poll = () =>
        fetch(
          `${h.base}/oauth/token`,
          form({ grant_type: DEVICE_CODE_GRANT, device_code: device.device_code ?? '', client_id: CLI_CLIENT_ID }),
        );
      const pending = await poll();
      assert.equal(((await pending.json()) as { error: string }).error, 'authorization_pending');

      const browser = new Browser();
      const entry = await follow(browser, h.base, `${h.base}/device`);
      assert.equal(entry.response.status, 200);
      const entered = await browser.request(`${h.base}/oauth/device`, {
        method: 'POST',
        form: { xsrf: xsrfOf(await entry.response.text()), user_code: (device.user_code ?? '').toLowerCase() },
      });
      assert.equal(entered.status, 200);
      const confirmPage = await entered.text();
      assert.match(confirmPage, new RegExp(device.user_code ?? 'missing'));
      const confirmed = await browser.request(`${h.base}/oauth/device`, {
        method: 'POST',
        form: { xsrf: xsrfOf(confirmPage), user_code: device.user_code ?? '', confirm: 'yes' },
      });
      const login = await follow(browser, h.base, locationOf(confirmed, h.base));
      assert.match(await login.response.text(), /name="password"/);
      const posted = await browser.request(`${login.url}/login`, {
        method: 'POST',
        form: { email: user.email, password: PASSWORD, tenant: '' },
      });
      const success = await follow(browser, h.base, locationOf(posted, h.base));
      assert.equal(success.response.status, 200);
      assert.match(await success.response.text(), /Device connected/);

      const granted = await poll();
      const tokens = (await granted.json()) as Record<string, string>;
      assert.equal(granted.status, 200, JSON.stringify(tokens));
      assert.ok(tokens.refresh_token);
      const claims = decodeJwt(tokens.access_token ?? '');
      assert.equal(claims.sub, user.id);
      assert.equal(claims.tid, tenant.id);
      assert.equal(claims.role, 'author');
      assert.equal(claims.client_id, CLI_CLIENT_ID);
    });

    test('client credentials (basic and post) give a service JWT with the contract claims', async () => {
      const client = await createServiceClient({
        store: h.plane.store,
        secret: h.secret,
        tenantId: tenant.id,
        name: 'CI import',
        role: 'editor',
        actor: 'test',
      });
      const jwks = createRemoteJWKSet(new URL(`${h.base}/oauth/jwks`));
      const basic = Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64');
      const viaBasic = await fetch(`${h.base}/oauth/token`, {
        ...form({ grant_type: 'client_credentials' }),
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
      });
      const viaPost = await fetch(
        `${h.base}/oauth/token`,
        form({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }),
      );
      for (const response of [viaBasic, viaPost]) {
        const body = (await response.json()) as Record<string, string>;
        assert.equal(response.status, 200, JSON.stringify(body));
        const { payload, protectedHeader } = await jwtVerify(body.access_token ?? '', jwks, {
          issuer: issuerOf(h.config),
          audience: GALLEY_API_AUDIENCE(h.config),
          typ: 'at+jwt',
        });
        assert.equal(protectedHeader.alg, 'ES256');
        assert.equal(payload.sub, client.serviceAccount.id);
        assert.equal(payload.tid, tenant.id);
        assert.equal(payload.role, 'editor');
        assert.equal(payload.scope, 'api');
        assert.equal(payload.client_id, client.clientId);
      }
      const wrong = await fetch(
        `${h.base}/oauth/token`,
        form({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: 'not it' }),
      );
      assert.equal(wrong.status, 401);
    });

    test('the sandbox seed’s service client gets a JWT with client_credentials', async () => {
      const seeded = await seedSandbox({
        store: h.plane.store,
        dataDir: h.config.dataDir,
        oauth: { issuer: issuerOf(h.config), secret: h.secret },
      });
      const creds = JSON.parse(readFileSync(seeded.credentialsPath, 'utf8')) as Record<string, string>;
      assert.equal(creds.issuer, issuerOf(h.config));
      const basic = Buffer.from(`${creds.client_id}:${creds.client_secret}`).toString('base64');
      const response = await fetch(`${creds.issuer}/token`, {
        ...form({ grant_type: 'client_credentials' }),
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
      });
      const body = (await response.json()) as { access_token: string; token_type: string; expires_in: number };
      assert.equal(response.status, 200, JSON.stringify(body));
      assert.equal(body.token_type, 'Bearer');
      assert.equal(body.expires_in, 300);
      const claims = decodeJwt(body.access_token);
      assert.equal(claims.tid, seeded.tenant.id);
      assert.equal(claims.role, 'editor');
      assert.equal(claims.sub, creds.client_id);
    });

    test('introspection and revocation of access and refresh tokens', async () => {
      const tokens = await webLogin(h, { email: user.email, password: PASSWORD });
      const introspect = async (token: string) =>
        (await (await introspectAs(h, token)).json()) as Record<string, unknown>;
      const at = await introspect(tokens.access_token);
      assert.equal(at.active, true);
      assert.equal(at.tid, tenant.id);
      assert.equal(at.sub, user.id);
      const rt = await introspect(tokens.refresh_token ?? '');
      assert.equal(rt.active, true);

      const revokedAt = await revokeAs(h, tokens.access_token);
      assert.equal(revokedAt.status, 200);
      assert.equal((await introspect(tokens.access_token)).active, false);
      const jti = String(decodeJwt(tokens.access_token).jti);
      assert.ok(await h.plane.kv.get(denyKey.jti(jti)), 'the jti is on the deny-list');

      const revokedRt = await revokeAs(h, tokens.refresh_token ?? '');
      assert.equal(revokedRt.status, 200);
      const refresh = await webTokenRequest(h, {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token ?? '',
      });
      assert.equal(((await refresh.json()) as { error: string }).error, 'invalid_grant');
      const gid = String(decodeJwt(tokens.access_token).gid);
      assert.ok(await h.plane.kv.get(denyKey.grant(gid)), 'the grant is on the deny-list');
    });

    test('RP-initiated logout ends the session and denies it', async () => {
      const browser = new Browser();
      const { verifier, challenge } = pkce();
      const code = await signInForCode(h, { email: user.email, password: PASSWORD }, challenge, browser);
      const exchanged = await webTokenRequest(h, {
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: webRedirectUri(h.config),
      });
      const tokens = (await exchanged.json()) as Record<string, string>;
      const logout = await browser.request(`${h.base}/oauth/session/end?client_id=galley-web`);
      assert.equal(logout.status, 200);
      const confirmed = await browser.request(`${h.base}/oauth/session/end/confirm`, {
        method: 'POST',
        form: { xsrf: xsrfOf(await logout.text()), logout: 'yes' },
      });
      assert.equal(confirmed.status, 303);
      const sid = String(decodeJwt(tokens.access_token ?? '').sid);
      assert.ok(await h.plane.kv.get(denyKey.session(sid)), 'the session is on the deny-list');
      const refresh = await webTokenRequest(h, {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token ?? '',
      });
      assert.equal(refresh.status, 400, 'the grant died with the session');
    });

    test('device code submissions are rate limited per IP', async () => {
      const browser = new Browser();
      const entry = await follow(browser, h.base, `${h.base}/oauth/device`);
      const xsrf = xsrfOf(await entry.response.text());
      let limited: Response | undefined;
      for (let i = 0; i <= DEVICE_ATTEMPTS_PER_WINDOW && limited === undefined; i++) {
        const response = await browser.request(`${h.base}/oauth/device`, {
          method: 'POST',
          form: { xsrf, user_code: 'BBBB-BBBB' },
        });
        if (response.status === 429) limited = response;
        else await response.text();
      }
      assert.ok(limited, 'a 429 within the limit + 1 attempts');
      assert.ok(limited.headers.get('retry-after'));
    });
  });
}

async function introspectAs(h: OauthHarness, token: string): Promise<Response> {
  return fetchAsWeb(h, '/oauth/token/introspection', { token });
}

async function revokeAs(h: OauthHarness, token: string): Promise<Response> {
  return fetchAsWeb(h, '/oauth/token/revocation', { token });
}

async function fetchAsWeb(h: OauthHarness, path: string, values: Record<string, string>): Promise<Response> {
  const basic = Buffer.from(`${WEB_CLIENT_ID}:${galleyWebClientSecret(h.secret)}`).toString('base64');
  return fetch(`${h.base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
    body: new URLSearchParams(values).toString(),
  });
}
