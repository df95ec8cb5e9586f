/**
 * Refresh-token rotation over HTTP on every backend: concurrent refreshes inside the grace window all succeed
 * with one successor; a replay after the window is reuse — invalid_grant, the grant revoked, its deny-list
 * entry written.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeJwt } from 'jose';
import { buildTenant, buildUser } from '../../../../test/factories.ts';
import { BACKENDS } from '../../../../test/support/backends.ts';
import { eventually } from '../../../../test/support/eventually.ts';
import type { UsersTable } from '../../../data/store/schema.ts';
import { createMetrics } from '../../../ops/metrics/registry.ts';
import { denyKey } from '../tokenContract.ts';
import {
  type OauthHarness,
  startOauthServer,
  startPeerServer,
  type TokenSet,
  webLogin,
  webTokenRequest,
} from './oauthHarness.ts';
import { createServiceClient } from './serviceClientCreator.ts';

const PASSWORD = 'correct horse battery staple';
const GRACE_S = 4;
// The harness passes this setting into the server's configuration.
process.env.GALLEY_REFRESH_GRACE_S = String(GRACE_S);

async function refresh(h: OauthHarness, token: string): Promise<{ status: number; body: Record<string, string> }> {
  const response = await webTokenRequest(h, { grant_type: 'refresh_token', refresh_token: token });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

for (const backend of BACKENDS) {
  describe(`refresh token rotation with a grace window (${backend})`, () => {
    let h: OauthHarness;
    let user: UsersTable;
    let first: TokenSet;
    let successor = '';
    before(async () => {
      h = await startOauthServer(backend);
      const tenant = await buildTenant(h.plane.store.db);
      user = await buildUser(h.plane.store.db, { tenantId: tenant.id, role: 'editor', password: PASSWORD });
      first = await webLogin(h, { email: user.email, password: PASSWORD });
    });
    after(async () => {
      await h.close();
    });

    test('50 concurrent refreshes with one token: 50 successes, one successor', async () => {
      const original = first.refresh_token ?? '';
      const results = await Promise.all(Array.from({ length: 50 }, () => refresh(h, original)));
      for (const r of results) assert.equal(r.status, 200, JSON.stringify(r.body));
      const successors = new Set(results.map((r) => r.body.refresh_token));
      assert.equal(successors.size, 1, 'one successor');
      successor = [...successors][0] ?? '';
      assert.notEqual(successor, original, 'rotated');
      assert.equal(new Set(results.map((r) => r.body.access_token)).size, 1, 'one access token');
    });

    test('the successor rotates normally', async () => {
      const next = await refresh(h, successor);
      assert.equal(next.status, 200, JSON.stringify(next.body));
      assert.notEqual(next.body.refresh_token, successor);
      successor = next.body.refresh_token ?? '';
    });

    test('a replay after the window is reuse: invalid_grant, grant revoked and denied', async () => {
      await sleep(GRACE_S * 1000 + 500);
      const me = () => fetch(`${h.base}/api/v1/me`, { headers: { authorization: `Bearer ${first.access_token}` } });
      assert.equal((await me()).status, 200, 'the access token works before the reuse');
      const replay = await refresh(h, first.refresh_token ?? '');
      assert.equal(replay.status, 400);
      assert.equal(replay.body.error, 'invalid_grant');
      const after = await refresh(h, successor);
      assert.equal(after.status, 400, 'the live successor died with the grant');
      assert.equal(after.body.error, 'invalid_grant');
      const gid = String(decodeJwt(first.access_token).gid);
      assert.ok(await h.plane.kv.get(denyKey.grant(gid)), 'the grant is on the deny-list');
      // The grant's unexpired access token stops working at the API within a second.
      const tookMs = await eventually(async () => (await me()).status === 401, 1000);
      assert.ok(tookMs <= 1000);
    });
  });
}

if (BACKENDS.includes('distributed')) {
  describe('refresh single-flight across two processes (distributed)', () => {
    let h: OauthHarness;
    let peer: OauthHarness;
    let tokens: TokenSet;
    before(async () => {
      h = await startOauthServer('distributed');
      peer = await startPeerServer(h);
      const tenant = await buildTenant(h.plane.store.db);
      const user = await buildUser(h.plane.store.db, { tenantId: tenant.id, role: 'editor', password: PASSWORD });
      tokens = await webLogin(h, { email: user.email, password: PASSWORD });
    });
    after(async () => {
      await peer.close();
      await h.close();
    });

    test('50 concurrent refreshes split over two servers: 50 successes, one successor', async () => {
      const original = tokens.refresh_token ?? '';
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => refresh(i % 2 === 0 ? h : peer, original)),
      );
      for (const r of results) assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(new Set(results.map((r) => r.body.refresh_token)).size, 1);
    });
  });
}

for (const backend of BACKENDS) {
  describe(`refresh outcomes are recorded (${backend})`, () => {
    const metrics = createMetrics({ collectDefault: false });
    let h: OauthHarness;
    let tokens: TokenSet;
    before(async () => {
      h = await startOauthServer(backend, { metrics, refreshGraceSeconds: 2 });
      const tenant = await buildTenant(h.plane.store.db);
      const user = await buildUser(h.plane.store.db, { tenantId: tenant.id, role: 'viewer', password: PASSWORD });
      tokens = await webLogin(h, { email: user.email, password: PASSWORD });
    });
    after(async () => {
      await h.close();
      metrics.close();
    });

    test('rotated, grace_reused and reuse_detected', async () => {
      const original = tokens.refresh_token ?? '';
      const results = await Promise.all(Array.from({ length: 5 }, () => refresh(h, original)));
      for (const r of results) assert.equal(r.status, 200, JSON.stringify(r.body));
      await sleep(2500);
      assert.equal((await refresh(h, original)).status, 400);
      const text = await metrics.scrape();
      const count = (outcome: string) =>
        Number(new RegExp(`galley_auth_refreshes_total\\{outcome="${outcome}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
      assert.equal(count('rotated'), 1);
      assert.equal(count('grace_reused'), 4);
      assert.equal(count('reuse_detected'), 1);
      assert.equal(count('invalid'), 0);
    });

    test('a token the store never issued is invalid (classified after the failure, from the store)', async () => {
      assert.equal((await refresh(h, 'never-issued')).status, 400);
      const text = await metrics.scrape();
      assert.match(text, /galley_auth_refreshes_total\{outcome="invalid"\} 1/);
      assert.match(text, /galley_auth_refreshes_total\{outcome="reuse_detected"\} 1/);
    });

    test('client-credentials logins are recorded with their outcome', async () => {
      const tenant = await buildTenant(h.plane.store.db);
      const client = await createServiceClient({
        store: h.plane.store,
        secret: h.secret,
        tenantId: tenant.id,
        name: 'metrics probe',
        role: 'viewer',
        actor: 'test',
      });
      for (const secret of [client.clientSecret, 'wrong']) {
        await fetch(`${h.base}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            client_id: client.clientId,
            client_secret: secret,
          }).toString(),
        }).then((r) => r.text());
      }
      const text = await metrics.scrape();
      const line = (outcome: string, reason: string) =>
        new RegExp(
          `galley_auth_logins_total\\{provider="client_credentials",outcome="${outcome}",reason="${reason}"\\} 1`,
        ).test(text);
      assert.ok(line('success', 'none'), text);
      assert.ok(line('failure', 'invalid_credentials'), text);
    });
  });
}
