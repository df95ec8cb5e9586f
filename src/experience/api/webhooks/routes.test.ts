/**
 * Webhook management over HTTP on every backend: buildApp with a real data plane, bearer tokens verified against
 * real signing keys, a real receiver on loopback for the delivery log and redelivery.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildTenant } from '../../../../test/factories.ts';
import { BACKENDS } from '../../../../test/support/backends.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../../../test/support/webhookReceiver.ts';
import { buildApp } from '../../../app.ts';
import { type Config, loadConfig } from '../../../config/config.ts';
import { verifyWebhookSignature } from '../../../content/webhooks/signature.ts';
import {
  openWebhookBench,
  TEST_MASTER_SECRET,
  type WebhookBench,
  waitUntil,
} from '../../../content/webhooks/testing.ts';
import type { MemberRole, TenantsTable } from '../../../data/store/schema.ts';
import { openVerifyHarness, type VerifyHarness } from '../../auth/verify/testHarness.ts';

interface WebhookBody {
  readonly id: string;
  readonly tenant: string;
  readonly url: string;
  readonly events: string[];
  readonly enabled: boolean;
  readonly disabledReason: string | null;
  readonly secret?: string;
}

interface AttemptBody {
  readonly id: string;
  readonly deliveryId: string;
  readonly status: string;
  readonly seq: number;
}

function configWith(allowPrivate: boolean): Config {
  return loadConfig(
    {},
    { logLevel: 'silent', maxEventLoopDelayMs: 0, secret: TEST_MASTER_SECRET, webhooksAllowPrivate: allowPrivate },
  );
}

for (const backend of BACKENDS) {
  describe(`webhook routes (${backend})`, () => {
    let bench: WebhookBench;
    let h: VerifyHarness;
    let app: FastifyInstance;
    let strictApp: FastifyInstance;
    let receiver: WebhookReceiver;
    let tenant: TenantsTable;
    let other: TenantsTable;

    async function open(config: Config): Promise<FastifyInstance> {
      const built = await buildApp(config, bench.plane, {
        logger: false,
        metrics: bench.metrics,
        verifier: h.newVerifier(),
      });
      await built.ready();
      return built;
    }

    before(async () => {
      bench = await openWebhookBench(backend);
      h = await openVerifyHarness(backend);
      app = await open(configWith(true));
      strictApp = await open(configWith(false));
      receiver = await startWebhookReceiver();
      bench.startDeliveryWorker();
      tenant = await buildTenant(bench.store.db);
      other = await buildTenant(bench.store.db);
    });
    after(async () => {
      await app.close();
      await strictApp.close();
      await receiver.close();
      await bench.cleanup();
      await h.cleanup();
    });

    const token = (role: MemberRole, tenantId = tenant.id, scope?: string) =>
      h.mint({ claims: { sub: `user-${role}`, tid: tenantId, role, ...(scope === undefined ? {} : { scope }) } });

    async function call(
      method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
      path: string,
      options: {
        role?: MemberRole;
        tenantId?: string;
        body?: unknown;
        bearer?: string | null;
        on?: FastifyInstance;
      } = {},
    ) {
      const bearer =
        options.bearer === undefined ? await token(options.role ?? 'admin', options.tenantId) : options.bearer;
      return (options.on ?? app).inject({
        method,
        url: `/api/v1/tenants/${path}`,
        headers: bearer === null ? {} : { authorization: `Bearer ${bearer}` },
        ...(options.body === undefined ? {} : { payload: options.body as Record<string, unknown> }),
      });
    }

    test('no token: 401; another tenant or an unknown slug: 404; editor, viewer or no api scope: 403', async () => {
      const list = `${tenant.slug}/webhooks`;
      assert.equal((await call('GET', list, { bearer: null })).statusCode, 401);
      const foreign = await call('GET', list, { tenantId: other.id, role: 'owner' });
      assert.equal(foreign.statusCode, 404);
      assert.equal(foreign.json<{ code: string }>().code, 'GALLEY_NOT_FOUND');
      assert.equal((await call('GET', 'no-such-tenant/webhooks')).statusCode, 404);
      for (const role of ['editor', 'author', 'viewer'] as const) {
        const res = await call('GET', list, { role });
        assert.equal(res.statusCode, 403, role);
        assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      }
      const noScope = await call('GET', list, { bearer: await token('admin', tenant.id, 'openid') });
      assert.equal(noScope.statusCode, 403);
      assert.equal((await call('GET', list, { role: 'owner' })).statusCode, 200);
    });

    test('create, read, list, update (rotate, disable), delete', async () => {
      const created = await call('POST', `${tenant.slug}/webhooks`, {
        body: { url: receiver.url, events: ['entry.*'], description: 'purge' },
      });
      assert.equal(created.statusCode, 201, created.body);
      assert.equal(created.headers['cache-control'], 'no-store');
      const hook = created.json<WebhookBody>();
      assert.match(hook.secret ?? '', /^whsec_/);
      assert.deepEqual(
        [hook.tenant, hook.url, hook.events, hook.enabled],
        [tenant.slug, receiver.url, ['entry.*'], true],
      );

      const read = await call('GET', `${tenant.slug}/webhooks/${hook.id}`);
      assert.equal(read.statusCode, 200);
      assert.equal(read.json<WebhookBody>().secret, undefined);
      assert.ok(!read.body.includes('whsec_'));
      const list = await call('GET', `${tenant.slug}/webhooks`);
      assert.ok(list.json<{ items: WebhookBody[] }>().items.some((w) => w.id === hook.id));
      assert.equal((await call('GET', `${other.slug}/webhooks/${hook.id}`, { tenantId: other.id })).statusCode, 404);

      const rotated = await call('PATCH', `${tenant.slug}/webhooks/${hook.id}`, {
        body: { rotateSecret: true, enabled: false },
      });
      assert.equal(rotated.statusCode, 200, rotated.body);
      const after = rotated.json<WebhookBody>();
      assert.ok(after.secret !== undefined && after.secret !== hook.secret);
      assert.equal(after.enabled, false);
      assert.equal(after.disabledReason, 'disabled by user:user-admin');

      assert.equal((await call('DELETE', `${tenant.slug}/webhooks/${hook.id}`, { role: 'editor' })).statusCode, 403);
      assert.equal((await call('DELETE', `${tenant.slug}/webhooks/${hook.id}`)).statusCode, 204);
      assert.equal((await call('GET', `${tenant.slug}/webhooks/${hook.id}`)).statusCode, 404);
    });

    test('bad input: 400 problem with field errors; refused targets when private ones are not allowed', async () => {
      const cases: unknown[] = [
        { url: 'ftp://x.example/', events: ['entry.*'] },
        { url: receiver.url, events: [] },
        { url: receiver.url, events: ['Not A Name'] },
        { url: receiver.url, events: ['entry.*'], extra: true },
      ];
      for (const body of cases) {
        const res = await call('POST', `${tenant.slug}/webhooks`, { body });
        assert.equal(res.statusCode, 400, JSON.stringify(body));
        assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      }
      const refused = await call('POST', `${tenant.slug}/webhooks`, {
        body: { url: receiver.url, events: ['entry.*'] },
        on: strictApp,
      });
      assert.equal(refused.statusCode, 400);
      assert.equal(refused.json<{ errors: { field: string }[] }>().errors[0]?.field, '/url');
      assert.equal((await call('PATCH', `${tenant.slug}/webhooks/nope`, { body: {} })).statusCode, 400);
    });

    test('the delivery log pages newest first, and redeliver sends the event again', async () => {
      const created = await call('POST', `${tenant.slug}/webhooks`, {
        body: { url: receiver.url, events: ['entry.published'] },
      });
      const hook = created.json<WebhookBody>();
      const before = receiver.requests.length;
      for (let i = 0; i < 3; i += 1) await bench.emit(tenant.id, 'entry.published', { i });
      await bench.dispatcher().runOnce();
      await receiver.waitForRequests(before + 3);
      const path = `${tenant.slug}/webhooks/${hook.id}/deliveries`;
      const all = await waitUntil('three attempts', async () => {
        const page = (await call('GET', `${path}?limit=100`)).json<{ items: AttemptBody[] }>();
        return page.items.length === 3 ? page.items : undefined;
      });
      assert.ok(all.every((a) => a.status === 'delivered'));
      const first = await call('GET', `${path}?limit=2`);
      const page1 = first.json<{ items: AttemptBody[]; next: string | null }>();
      assert.equal(page1.items.length, 2);
      assert.ok(page1.next);
      const page2 = (await call('GET', `${path}?limit=2&cursor=${page1.next}`)).json<{
        items: AttemptBody[];
        next: null;
      }>();
      assert.deepEqual(
        [...page1.items, ...page2.items].map((a) => a.id),
        all.map((a) => a.id),
      );
      assert.equal(page2.next, null);
      assert.equal((await call('GET', `${path}?cursor=bogus`)).statusCode, 400);

      const target = all[2];
      assert.ok(target);
      const redelivered = await call('POST', `${path}/${target.deliveryId}/redeliver`);
      assert.equal(redelivered.statusCode, 202, redelivered.body);
      const { deliveryId, seq } = redelivered.json<{ deliveryId: string; seq: number }>();
      assert.equal(seq, target.seq);
      const requests = await receiver.waitForRequests(before + 4);
      const again = requests.find((r) => r.headers['galley-delivery'] === deliveryId);
      assert.ok(again);
      assert.ok(verifyWebhookSignature(hook.secret ?? '', String(again.headers['galley-signature']), again.body));
      assert.equal((await call('POST', `${path}/no-such-delivery/redeliver`)).statusCode, 404);
      assert.equal(
        (
          await call('POST', `${other.slug}/webhooks/${hook.id}/deliveries/${deliveryId}/redeliver`, {
            tenantId: other.id,
          })
        ).statusCode,
        404,
      );
    });
  });
}
