/**
 * The web session at the edge, over real HTTP against buildApp on every backend: sign-in through the login form,
 * the session view, the API proxy, CSRF refusals, tampered cookies, and logout with revocation.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { buildTenant, buildUser } from '../../../../test/factories.ts';
import { BACKENDS } from '../../../../test/support/backends.ts';
import type { TenantsTable, UsersTable } from '../../../data/store/schema.ts';
import { type OauthHarness, startOauthServer, webTokenRequest } from '../oidc/oauthHarness.ts';
import { deriveKey, seal } from '../secrets.ts';
import { bffSignIn, TestBrowser, unsealSession } from './bffTestKit.ts';
import { CSRF_COOKIE, LOGIN_COOKIE, SESSION_COOKIE } from './sessionCookie.ts';

const PASSWORD = 'correct horse battery staple';

/** GET with the path exactly as given (no client-side normalisation); resolves with the status. */
function rawGetStatus(base: string, rawPath: string, cookie: string): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ hostname, port, path: rawPath, headers: { cookie } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
    request.end();
  });
}

for (const backend of BACKENDS) {
  describe(`web session BFF (${backend})`, () => {
    let h: OauthHarness;
    let tenant: TenantsTable;
    let user: UsersTable;
    before(async () => {
      h = await startOauthServer(backend);
      tenant = await buildTenant(h.plane.store.db);
      user = await buildUser(h.plane.store.db, { tenantId: tenant.id, role: 'admin', password: PASSWORD });
    });
    after(async () => {
      await h.close();
    });

    const signedIn = async (): Promise<TestBrowser> => {
      const browser = new TestBrowser();
      await bffSignIn(h, browser, { email: user.email, password: PASSWORD });
      return browser;
    };
    const problemCode = async (response: Response) => ((await response.json()) as { code: string }).code;

    test('sign-in: login form → callback → session cookie → back to returnTo', async () => {
      const browser = new TestBrowser();
      const returnTo = '/editor/posts?draft=1#top';
      const landed = await bffSignIn(
        h,
        browser,
        { email: user.email, password: PASSWORD },
        `?tenant=${tenant.slug}&returnTo=${encodeURIComponent(returnTo)}`,
      );
      assert.equal(landed, `${h.base}${returnTo}`);
      const session = browser.attributes(SESSION_COOKIE) ?? '';
      assert.match(session, /HttpOnly/i);
      assert.match(session, /SameSite=Lax/i);
      assert.match(session, /Path=\/bff/);
      assert.doesNotMatch(session, /Secure/i, 'plain http public URL: no Secure flag');
      assert.doesNotMatch(browser.attributes(CSRF_COOKIE) ?? '', /HttpOnly/i, 'the editor reads the CSRF cookie');
      assert.equal(browser.cookie(LOGIN_COOKIE), undefined, 'the pending-login cookie is spent');
      assert.ok((browser.cookie(SESSION_COOKIE) ?? '').length < 4000, 'one cookie under 4 KB');
      const held = unsealSession(browser, h.secret);
      assert.ok(held.accessToken && held.refreshToken && held.expiresAt > Date.now() / 1000);
    });

    test('GET /bff/session says who, never the tokens', async () => {
      const browser = await signedIn();
      const response = await browser.request(`${h.base}/bff/session`);
      const text = await response.text();
      assert.equal(response.status, 200, text);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      const body = JSON.parse(text) as Record<string, unknown>;
      assert.deepEqual(body.user, { id: user.id, email: user.email, name: user.name });
      assert.deepEqual(body.tenant, { id: tenant.id, slug: tenant.slug, name: tenant.name });
      assert.equal(body.role, 'admin');
      assert.equal(body.csrfToken, browser.cookie(CSRF_COOKIE));
      assert.ok(Date.parse(String(body.expiresAt)) > Date.now());
      const { accessToken, refreshToken } = unsealSession(browser, h.secret);
      assert.ok(!text.includes(accessToken) && !text.includes(refreshToken), 'no token in the body');

      const anonymous = await new TestBrowser().request(`${h.base}/bff/session`);
      assert.equal(anonymous.status, 401);
      assert.equal(await problemCode(anonymous), 'GALLEY_UNAUTHENTICATED');
    });

    test('/bff/api proxies to the management API with the session token', async () => {
      const browser = await signedIn();
      const me = await browser.request(`${h.base}/bff/api/v1/me`);
      const body = (await me.json()) as Record<string, unknown>;
      assert.equal(me.status, 200, JSON.stringify(body));
      assert.equal(body.subject, user.id);
      assert.equal((body.tenant as { slug: string }).slug, tenant.slug);

      const created = await browser.request(`${h.base}/bff/api/v1/tenants/${tenant.slug}/webhooks`, {
        method: 'POST',
        headers: { ...browser.csrfHeaders(h.base), 'content-type': 'application/json' },
        body: JSON.stringify({ url: 'https://93.184.215.14/hook', events: ['entry.published'] }),
      });
      assert.equal(created.status, 201, await created.text());
      const listed = await browser.request(`${h.base}/bff/api/v1/tenants/${tenant.slug}/webhooks`);
      const list = (await listed.json()) as { items: { url: string }[] };
      assert.equal(listed.status, 200);
      assert.deepEqual(
        list.items.map((w) => w.url),
        ['https://93.184.215.14/hook'],
      );

      // fetch would resolve the dot segments itself; send them raw.
      const cookie = `${SESSION_COOKIE}=${browser.cookie(SESSION_COOKIE)}`;
      for (const raw of ['/bff/api/../oauth/jwks', '/bff/api/v1/%2e%2e/%2e%2e/oauth/jwks']) {
        assert.equal(await rawGetStatus(h.base, raw, cookie), 404, `${raw} stays under /api`);
      }
      const anonymous = await new TestBrowser().request(`${h.base}/bff/api/v1/me`);
      assert.equal(anonymous.status, 401);
    });

    test('CSRF: state-changing requests need the header and this origin', async () => {
      const browser = await signedIn();
      const url = `${h.base}/bff/api/v1/tenants/${tenant.slug}/webhooks`;
      const json = { 'content-type': 'application/json' };
      const body = JSON.stringify({ url: 'https://93.184.215.14/csrf', events: ['entry.published'] });
      const attempts: Record<string, Record<string, string>> = {
        'no header': { origin: h.base, ...json },
        'wrong token': { ...browser.csrfHeaders(h.base), 'x-csrf-token': 'forged', ...json },
        'foreign origin': { ...browser.csrfHeaders('https://evil.example'), ...json },
        'no origin': { 'x-csrf-token': browser.cookie(CSRF_COOKIE) ?? '', ...json },
      };
      for (const [name, headers] of Object.entries(attempts)) {
        const response = await browser.request(url, { method: 'POST', headers, body });
        assert.equal(response.status, 403, name);
        assert.equal(await problemCode(response), 'GALLEY_CSRF_REJECTED', name);
      }
      const logout = await browser.request(`${h.base}/bff/logout`, { method: 'POST', headers: { origin: h.base } });
      assert.equal(logout.status, 403, 'logout is state-changing too');
      const still = await browser.request(`${h.base}/bff/session`);
      assert.equal(still.status, 200, 'nothing was changed');
    });

    test('a tampered or foreign session cookie is refused and cleared', async () => {
      const browser = await signedIn();
      const value = browser.cookie(SESSION_COOKIE) ?? '';
      const flipped = `${value.slice(0, 40)}${value[40] === 'A' ? 'B' : 'A'}${value.slice(41)}`;
      browser.setCookie(SESSION_COOKIE, flipped, '/bff');
      const tampered = await browser.request(`${h.base}/bff/api/v1/me`);
      assert.equal(tampered.status, 401);
      assert.equal(browser.cookie(SESSION_COOKIE), undefined, 'the bad cookie is expired');

      const foreign = new TestBrowser();
      const session = { id: 'x', accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() / 1000 + 300 };
      foreign.setCookie(
        SESSION_COOKIE,
        seal(deriveKey('another secret', 'session-cookie'), JSON.stringify(session)),
        '/bff',
      );
      assert.equal((await foreign.request(`${h.base}/bff/session`)).status, 401);
    });

    test('returnTo must stay on this site; a callback needs a started login', async () => {
      for (const returnTo of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'relative']) {
        const response = await fetch(`${h.base}/bff/login?returnTo=${encodeURIComponent(returnTo)}`, {
          redirect: 'manual',
        });
        assert.equal(response.status, 400, returnTo);
      }
      const callback = await fetch(`${h.base}/bff/callback?code=abc&state=def`, { redirect: 'manual' });
      assert.equal(callback.status, 400);
      assert.equal(await problemCode(callback), 'GALLEY_BFF_CALLBACK_INVALID');
    });

    test('logout revokes the grant, clears the cookies and points to the provider logout', async () => {
      const browser = await signedIn();
      const held = unsealSession(browser, h.secret);
      const response = await browser.request(`${h.base}/bff/logout`, {
        method: 'POST',
        headers: browser.csrfHeaders(h.base),
      });
      const body = (await response.json()) as { endSessionUrl: string };
      assert.equal(response.status, 200, JSON.stringify(body));
      const end = new URL(body.endSessionUrl);
      assert.equal(`${end.origin}${end.pathname}`, `${h.base}/oauth/session/end`);
      assert.equal(end.searchParams.get('post_logout_redirect_uri'), `${h.base}/`);
      const confirm = await browser.request(body.endSessionUrl);
      assert.equal(confirm.status, 200, 'the provider accepts the logout request and asks to confirm');
      assert.match(await confirm.text(), /name="logout"/);
      assert.equal(browser.cookie(SESSION_COOKIE), undefined);
      assert.equal(browser.cookie(CSRF_COOKIE), undefined);
      assert.equal((await browser.request(`${h.base}/bff/session`)).status, 401);

      const refresh = await webTokenRequest(h, { grant_type: 'refresh_token', refresh_token: held.refreshToken });
      assert.equal(((await refresh.json()) as { error: string }).error, 'invalid_grant');
      // The grant's deny-list entry reaches the verifier within a second.
      const deadline = Date.now() + 10_000;
      let status = 200;
      while (status !== 401 && Date.now() < deadline) {
        const me = await fetch(`${h.base}/api/v1/me`, { headers: { authorization: `Bearer ${held.accessToken}` } });
        status = me.status;
        await me.text();
      }
      assert.equal(status, 401, 'the session’s access token is refused');
    });
  });
}
