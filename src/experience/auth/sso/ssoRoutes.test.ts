/**
 * SSO end to end over real HTTP: Galley's app (buildApp + ssoRoutes) served on 127.0.0.1 and a second, real
 * oidc-provider on 127.0.0.1 as the tenant's upstream IdP. The test plays the browser; Galley talks to the IdP
 * itself (discovery, JWKS, token endpoint, UserInfo).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { randomNonce } from 'openid-client';
import { buildTenant, buildUser } from '../../../../test/factories.ts';
import { BACKENDS, type Backend, openTestStore, uniqueName } from '../../../../test/support/backends.ts';
import { testPlane } from '../../../../test/support/plane.ts';
import { deleteRedisKeys } from '../../../../test/support/redisKeys.ts';
import { startUpstreamIdp, type UpstreamIdp } from '../../../../test/support/upstreamIdp.ts';
import { buildApp } from '../../../app.ts';
import { type Config, loadConfig } from '../../../config/config.ts';
import type { DataPlane } from '../../../data/dataPlane.ts';
import type { TenantsTable } from '../../../data/store/schema.ts';
import { createMetrics, type GalleyMetrics } from '../../../ops/metrics/registry.ts';
import { API_ROUTES } from '../../api/index.ts';
import { addSsoProvider, type SsoProvider } from './ssoProviders.ts';
import { type SsoAuthenticated, ssoProvidersForLogin, ssoRoutes } from './ssoRoutes.ts';
import { SSO_STATE_TTL_MS, ssoStateKey } from './ssoState.ts';

const SECRET = 'sso-test-secret-0123456789abcdefghijklmnop';

/** A real data plane on a fresh store (and, distributed, a fresh Redis prefix). */
interface TestPlane {
  readonly plane: DataPlane;
  close(): Promise<void>;
}

async function openTestPlane(backend: Backend): Promise<TestPlane> {
  const t = await openTestStore(backend);
  const store = t.store;
  const prefix = uniqueName('sso');
  const plane = testPlane(backend, store, prefix);
  return {
    plane,
    async close() {
      await plane.close();
      await t.cleanup();
      if (backend === 'distributed') await deleteRedisKeys(`${prefix}*`);
    },
  };
}

interface Harness {
  readonly t: TestPlane;
  readonly config: Config;
  readonly server: Server;
  readonly app: FastifyInstance;
  readonly metrics: GalleyMetrics;
  readonly idp: UpstreamIdp;
  readonly tenant: TenantsTable;
  readonly provider: SsoProvider;
  readonly calls: SsoAuthenticated[];
}

async function listenLoopback(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return (server.address() as AddressInfo).port;
}

async function openHarness(backend: Backend): Promise<Harness> {
  const t = await openTestPlane(backend);
  // The socket comes first so the public URL (and the redirect URI the IdP registers) names its real port.
  const server = createServer();
  const port = await listenLoopback(server);
  const config = loadConfig(
    {},
    { publicUrl: `http://127.0.0.1:${port}`, logLevel: 'silent', secret: SECRET, maxEventLoopDelayMs: 0 },
  );
  const idp = await startUpstreamIdp({
    redirectUri: `${config.publicUrl}/auth/sso/callback`,
    accounts: [
      { email: 'alice@news.example', emailVerified: true, name: 'Alice' },
      { email: 'bob@news.example', emailVerified: false },
      { email: 'carol@elsewhere.example', emailVerified: true },
      { email: 'dave@elsewhere.example', emailVerified: true },
      { email: 'erin@news.example', emailVerified: true },
    ],
  });
  const tenant = await buildTenant(t.plane.store.db);
  const provider = await addSsoProvider({
    db: t.plane.store.db,
    secret: SECRET,
    tenantId: tenant.id,
    name: 'News IdP',
    issuer: idp.issuer,
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    domains: ['news.example'],
    defaultRole: 'editor',
    actor: 'system',
  });
  const metrics = createMetrics({ collectDefault: false });
  const calls: SsoAuthenticated[] = [];
  // The production sign-in plugin wires SSO to the OIDC provider; this test registers SSO alone to observe it.
  const routes = API_ROUTES.filter((r) => r.name !== 'sign-in');
  const app = await buildApp(config, t.plane, { logger: false, metrics, routes });
  await app.register(ssoRoutes, {
    config,
    plane: t.plane,
    secret: SECRET,
    metrics,
    async onAuthenticated(_request, reply, result) {
      calls.push(result);
      await reply.code(200).send({ signedIn: result.accountId });
    },
  });
  await app.ready();
  server.on('request', app.routing);
  return { t, config, server, app, metrics, idp, tenant, provider, calls };
}

async function closeHarness(h: Harness): Promise<void> {
  h.server.closeAllConnections();
  await new Promise<void>((resolve) => h.server.close(() => resolve()));
  await h.app.close();
  h.metrics.close();
  await h.idp.close();
  await h.t.close();
}

interface SignInOptions {
  /** Runs between the redirect to the IdP and the callback, with the flow's state. */
  readonly beforeCallback?: (state: string) => Promise<void>;
  /** Rewrites the callback URL the browser lands on. */
  readonly callback?: (url: URL) => URL;
  /** Sends the callback without the browser-binding cookie (another browser). */
  readonly foreignBrowser?: boolean;
  readonly provider?: SsoProvider;
  readonly idp?: UpstreamIdp;
}

interface SignInResult {
  readonly status: number;
  readonly contentType: string;
  readonly body: Record<string, unknown>;
  /** The callback URL the IdP sent the browser to. */
  readonly callbackUrl: URL;
  readonly cookie: string;
}

/** Plays one browser sign-in of `email` from the login page's start URL to Galley's answer to the callback. */
async function signIn(h: Harness, email: string | undefined, options: SignInOptions = {}): Promise<SignInResult> {
  const idp = options.idp ?? h.idp;
  const providerId = (options.provider ?? h.provider).id;
  idp.nextLogin = email;
  const choices = await ssoProvidersForLogin(h.t.plane.store, h.tenant.slug, h.config.publicUrl, 'interaction-1');
  const choice = choices.find((c) => c.id === providerId);
  assert.ok(choice, 'the login page offers the provider');
  const start = await fetch(choice.startUrl, { redirect: 'manual' });
  await start.text();
  assert.equal(start.status, 303);
  const authorizationUrl = new URL(start.headers.get('location') ?? '');
  assert.equal(authorizationUrl.origin, new URL(idp.issuer).origin);
  const cookie = (start.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
  const state = authorizationUrl.searchParams.get('state') ?? '';
  await options.beforeCallback?.(state);
  const landed = await idp.authorize(authorizationUrl.href);
  const callbackUrl = options.callback?.(landed) ?? landed;
  const res = await fetch(callbackUrl, {
    redirect: 'manual',
    headers: options.foreignBrowser === true ? {} : { cookie },
  });
  const body = (await res.json()) as Record<string, unknown>;
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body, callbackUrl, cookie };
}

async function loginCount(h: Harness, outcome: string, reason: string): Promise<number> {
  const { values } = await h.metrics.families.authLogins.get();
  const hit = values.find(
    (v) => v.labels.provider === 'sso' && v.labels.outcome === outcome && v.labels.reason === reason,
  );
  return hit?.value ?? 0;
}

function assertProblem(result: SignInResult, status: number, code: string): void {
  assert.equal(result.status, status, JSON.stringify(result.body));
  assert.match(result.contentType, /^application\/problem\+json/);
  assert.equal(result.body.code, code);
}

async function userByEmail(h: Harness, email: string) {
  return h.t.plane.store.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
}

async function roleOf(h: Harness, userId: string): Promise<string | undefined> {
  const row = await h.t.plane.store.db
    .selectFrom('memberships')
    .select('role')
    .where('tenant_id', '=', h.tenant.id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.role;
}

for (const backend of BACKENDS) {
  describe(`SSO through an upstream OpenID provider (${backend})`, () => {
    let h: Harness;
    before(async () => {
      h = await openHarness(backend);
    });
    after(async () => {
      await closeHarness(h);
    });

    test('first sign-in creates the user and a just-in-time membership, then calls onAuthenticated', async () => {
      const before = h.calls.length;
      const result = await signIn(h, 'alice@news.example');
      assert.equal(result.status, 200, JSON.stringify(result.body));
      const user = await userByEmail(h, 'alice@news.example');
      assert.ok(user);
      assert.equal(Number(user.email_verified), 1);
      assert.equal(user.password_hash, null);
      assert.equal(user.name, 'Alice');
      assert.deepEqual(h.calls.slice(before), [
        { accountId: user.id, tenantId: h.tenant.id, providerId: h.provider.id, interactionUid: 'interaction-1' },
      ]);
      assert.equal(await roleOf(h, user.id), 'editor');
      assert.ok((await loginCount(h, 'success', 'none')) >= 1);
    });

    test('a second sign-in reuses the user and keeps the role a member already has', async () => {
      const first = await signIn(h, 'erin@news.example');
      assert.equal(first.status, 200);
      const user = await userByEmail(h, 'erin@news.example');
      assert.ok(user);
      await h.t.plane.store.db
        .updateTable('memberships')
        .set({ role: 'admin' })
        .where('tenant_id', '=', h.tenant.id)
        .where('user_id', '=', user.id)
        .execute();
      const second = await signIn(h, 'erin@news.example');
      assert.equal(second.status, 200);
      assert.equal(second.body.signedIn, user.id);
      const users = await h.t.plane.store.db.selectFrom('users').select('id').where('email', '=', user.email).execute();
      assert.equal(users.length, 1);
      assert.equal(await roleOf(h, user.id), 'admin');
    });

    test('an unknown state is refused with 400 GALLEY_SSO_STATE_INVALID', async () => {
      const calls = h.calls.length;
      const failures = await loginCount(h, 'failure', 'invalid_state');
      const result = await signIn(h, 'alice@news.example', {
        callback: (url) => {
          const forged = new URL(url);
          forged.searchParams.set('state', randomNonce());
          return forged;
        },
      });
      assertProblem(result, 400, 'GALLEY_SSO_STATE_INVALID');
      assert.equal(h.calls.length, calls);
      assert.equal(await loginCount(h, 'failure', 'invalid_state'), failures + 1);
    });

    test('a callback is single use, and refused in a browser that did not start the flow', async () => {
      const ok = await signIn(h, 'alice@news.example');
      assert.equal(ok.status, 200);
      const replay = await fetch(ok.callbackUrl, { headers: { cookie: ok.cookie } });
      assert.equal(replay.status, 400);
      assert.equal(((await replay.json()) as { code: string }).code, 'GALLEY_SSO_STATE_INVALID');

      const foreign = await signIn(h, 'alice@news.example', { foreignBrowser: true });
      assertProblem(foreign, 400, 'GALLEY_SSO_STATE_INVALID');
    });

    test('a nonce that does not match the ID token is refused', async () => {
      const calls = h.calls.length;
      const failures = await loginCount(h, 'failure', 'invalid_nonce');
      const result = await signIn(h, 'alice@news.example', {
        beforeCallback: async (state) => {
          const key = ssoStateKey(state);
          const raw = await h.t.plane.kv.get(key);
          assert.ok(raw, 'the flow is kept in kv under sso:state:<state>');
          const pending = JSON.parse(raw) as Record<string, unknown>;
          await h.t.plane.kv.set(key, JSON.stringify({ ...pending, nonce: randomNonce() }), {
            ttlMs: SSO_STATE_TTL_MS,
          });
        },
      });
      assertProblem(result, 400, 'GALLEY_SSO_RESPONSE_INVALID');
      assert.equal(h.calls.length, calls);
      assert.equal(await loginCount(h, 'failure', 'invalid_nonce'), failures + 1);
    });

    test('an account without a verified email is refused and no user is created', async () => {
      const result = await signIn(h, 'bob@news.example');
      assertProblem(result, 403, 'GALLEY_SSO_EMAIL_UNVERIFIED');
      assert.equal(await userByEmail(h, 'bob@news.example'), undefined);
    });

    test('a domain outside the provider’s list is refused unless the user is already a member', async () => {
      const refused = await signIn(h, 'carol@elsewhere.example');
      assertProblem(refused, 403, 'GALLEY_SSO_DOMAIN_NOT_ALLOWED');
      assert.equal(await userByEmail(h, 'carol@elsewhere.example'), undefined);
      assert.ok((await loginCount(h, 'failure', 'not_member')) >= 1);

      const dave = await buildUser(h.t.plane.store.db, {
        tenantId: h.tenant.id,
        email: 'dave@elsewhere.example',
        role: 'viewer',
      });
      const member = await signIn(h, 'dave@elsewhere.example');
      assert.equal(member.status, 200, JSON.stringify(member.body));
      assert.equal(member.body.signedIn, dave.id);
      assert.equal(await roleOf(h, dave.id), 'viewer');
    });

    test('signing in proves an unverified account’s email and drops the password nobody proved', async () => {
      const squatter = await buildUser(h.t.plane.store.db, {
        tenantId: h.tenant.id,
        email: 'frank@news.example',
        password: 'registered-by-someone-else',
      });
      const idp = await startUpstreamIdp({
        redirectUri: `${h.config.publicUrl}/auth/sso/callback`,
        accounts: [{ email: 'frank@news.example', emailVerified: true }],
        // Strict OIDC Core: email only in UserInfo, which Galley then reads.
        emailInIdToken: false,
      });
      try {
        const provider = await addSsoProvider({
          db: h.t.plane.store.db,
          secret: SECRET,
          tenantId: h.tenant.id,
          name: 'Strict IdP',
          issuer: idp.issuer,
          clientId: idp.clientId,
          clientSecret: idp.clientSecret,
          domains: ['news.example'],
          actor: 'system',
        });
        const result = await signIn(h, 'frank@news.example', { idp, provider });
        assert.equal(result.status, 200, JSON.stringify(result.body));
        assert.equal(result.body.signedIn, squatter.id);
        const user = await userByEmail(h, 'frank@news.example');
        assert.equal(Number(user?.email_verified), 1);
        assert.equal(user?.password_hash, null);
        assert.equal(await roleOf(h, squatter.id), 'author', 'DEFAULT_SSO_ROLE');
      } finally {
        await idp.close();
      }
    });

    test('an upstream refusal is reported, not signed in', async () => {
      const result = await signIn(h, undefined);
      assertProblem(result, 400, 'GALLEY_SSO_RESPONSE_INVALID');
      assert.match(String(result.body.detail), /access_denied/);
    });

    test('an unknown provider or tenant is 404 at the start', async () => {
      const missing = await fetch(
        `${h.config.publicUrl}/auth/sso/${h.tenant.slug}/0000-unknown/start?interaction=abc`,
        { redirect: 'manual' },
      );
      assert.equal(missing.status, 404);
      await missing.text();
      assert.deepEqual(await ssoProvidersForLogin(h.t.plane.store, 'no-such-tenant', h.config.publicUrl, 'x'), []);
      const bad = await fetch(`${h.config.publicUrl}/auth/sso/${h.tenant.slug}/${h.provider.id}/start`, {
        redirect: 'manual',
      });
      assert.equal(bad.status, 400, 'the interaction is required');
      await bad.text();
    });

    test('an unreachable upstream is 502 GALLEY_SSO_UPSTREAM_UNAVAILABLE at the start', async () => {
      const failures = await loginCount(h, 'failure', 'upstream_error');
      const down = await addSsoProvider({
        db: h.t.plane.store.db,
        secret: SECRET,
        tenantId: h.tenant.id,
        name: 'Down IdP',
        // Port 1 on loopback: nothing listens, the connection is refused at once.
        issuer: 'http://127.0.0.1:1',
        clientId: 'x',
        clientSecret: 'y',
        domains: [],
        actor: 'system',
      });
      const res = await fetch(`${h.config.publicUrl}/auth/sso/${h.tenant.slug}/${down.id}/start?interaction=abc`, {
        redirect: 'manual',
      });
      assert.equal(res.status, 502);
      assert.equal(((await res.json()) as { code: string }).code, 'GALLEY_SSO_UPSTREAM_UNAVAILABLE');
      assert.equal(await loginCount(h, 'failure', 'upstream_error'), failures + 1);
    });
  });
}
