/**
 * Single-flight refresh of a web session, over real HTTP on every backend. The BFF is built to refresh tokens
 * expiring within 301 s — every access token (300 s) — so expiry needs no waiting. The authorization server's
 * refresh outcomes (metrics) count the rotations that really happened.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTenant, buildUser } from '../../../../test/factories.ts';
import { BACKENDS } from '../../../../test/support/backends.ts';
import type { UsersTable } from '../../../data/store/schema.ts';
import type { GalleyMetrics } from '../../../ops/metrics/registry.ts';
import type { OauthHarness } from '../oidc/oauthHarness.ts';
import { bffSignIn, startBffServer, TestBrowser, unsealSession } from './bffTestKit.ts';
import { SESSION_COOKIE } from './sessionCookie.ts';

const PASSWORD = 'correct horse battery staple';

async function refreshes(metrics: GalleyMetrics, outcome: string): Promise<number> {
  const { values } = await metrics.families.authRefreshes.get();
  return values.filter((v) => v.labels.outcome === outcome).reduce((sum, v) => sum + v.value, 0);
}

for (const backend of BACKENDS) {
  describe(`web session refresh (${backend})`, () => {
    let h: OauthHarness;
    let metrics: GalleyMetrics;
    let user: UsersTable;
    before(async () => {
      ({ h, metrics } = await startBffServer(backend, { refreshWithinSeconds: 301 }));
      const tenant = await buildTenant(h.plane.store.db);
      user = await buildUser(h.plane.store.db, { tenantId: tenant.id, role: 'editor', password: PASSWORD });
    });
    after(async () => {
      await h.close();
    });

    test('10 concurrent proxied requests of an expiring session: one refresh, one successor', async () => {
      const browser = new TestBrowser();
      await bffSignIn(h, browser, { email: user.email, password: PASSWORD });
      const before = unsealSession(browser, h.secret);
      const rotatedBefore = await refreshes(metrics, 'rotated');
      const graceBefore = await refreshes(metrics, 'grace_reused');
      const cookie = `${SESSION_COOKIE}=${browser.cookie(SESSION_COOKIE)}`;

      const responses = await Promise.all(
        Array.from({ length: 10 }, () => fetch(`${h.base}/bff/api/v1/me`, { headers: { cookie } })),
      );
      const successors = new Set<string>();
      for (const response of responses) {
        const body = (await response.json()) as { subject: string };
        assert.equal(response.status, 200, JSON.stringify(body));
        assert.equal(body.subject, user.id);
        const jar = new TestBrowser();
        const line = response.headers.getSetCookie().find((l) => l.startsWith(`${SESSION_COOKIE}=`));
        assert.ok(line, 'every response carries the rotated session');
        jar.setCookie(
          SESSION_COOKIE,
          decodeURIComponent(line.slice(SESSION_COOKIE.length + 1).split(';')[0] ?? ''),
          '/bff',
        );
        const after = unsealSession(jar, h.secret);
        assert.equal(after.id, before.id, 'the session id survives the refresh');
        successors.add(after.refreshToken);
      }
      assert.equal(successors.size, 1, 'one successor token set');
      assert.ok(!successors.has(before.refreshToken), 'the refresh token rotated');
      assert.equal((await refreshes(metrics, 'rotated')) - rotatedBefore, 1, 'exactly one rotation');
      assert.equal((await refreshes(metrics, 'grace_reused')) - graceBefore, 0, 'no second token request');

      // A straggler still carrying the old cookie gets the same successor without another rotation.
      const late = await fetch(`${h.base}/bff/api/v1/me`, { headers: { cookie } });
      assert.equal(late.status, 200);
      await late.text();
      assert.equal((await refreshes(metrics, 'rotated')) - rotatedBefore, 1);
    });

    test('the rotated session keeps working and rotates again', async () => {
      const browser = new TestBrowser();
      await bffSignIn(h, browser, { email: user.email, password: PASSWORD });
      const first = unsealSession(browser, h.secret);
      for (let i = 0; i < 3; i++) {
        const response = await browser.request(`${h.base}/bff/session`);
        assert.equal(response.status, 200, await response.text());
      }
      const last = unsealSession(browser, h.secret);
      assert.notEqual(last.refreshToken, first.refreshToken);
      assert.equal(last.id, first.id);
    });
  });
}
