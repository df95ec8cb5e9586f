/** Subscription use cases on every backend: create (secret once, sealed), list, update, rotate, disable, delete. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTenant } from '../../../test/factories.ts';
import { BACKENDS, openTestStore, type TestStore } from '../../../test/support/backends.ts';
import { createEventLog } from '../../data/events/eventLog.ts';
import type { TenantsTable } from '../../data/store/schema.ts';
import { isGalleyError } from '../../experience/errors/errors.ts';
import { unsealWebhookSecret } from './subscriptionSecrets.ts';
import { getWebhook, listWebhooks, MAX_SUBSCRIPTIONS_PER_TENANT } from './subscriptions.ts';
import { webhookDb } from './tables.ts';
import { TEST_MASTER_SECRET } from './testing.ts';
import { createWebhook } from './webhookCreator.ts';
import { deleteWebhook } from './webhookDeleter.ts';
import { disableWebhook } from './webhookDisabler.ts';
import { updateWebhook } from './webhookUpdater.ts';

const URL_A = 'http://127.0.0.1:9/hooks/a';

for (const backend of BACKENDS) {
  describe(`webhook subscriptions (${backend})`, () => {
    let t: TestStore;
    let tenant: TenantsTable;
    before(async () => {
      t = await openTestStore(backend);
      tenant = await buildTenant(t.store.db);
    });
    after(async () => {
      await t.cleanup();
    });

    const create = (over: { url?: string; events?: string[]; tenantId?: string; allow?: boolean } = {}) =>
      createWebhook({
        db: t.store.db,
        secret: TEST_MASTER_SECRET,
        tenantId: over.tenantId ?? tenant.id,
        url: over.url ?? URL_A,
        events: over.events ?? ['entry.*'],
        description: ' CDN purge ',
        allowPrivateTargets: over.allow ?? true,
        actor: 'user:u1',
      });

    test('create returns the signing secret once and stores it sealed; records webhook.created', async () => {
      const { subscription, signingSecret } = await create();
      assert.match(signingSecret, /^whsec_/);
      assert.deepEqual(
        [subscription.url, subscription.events, subscription.description, subscription.disabledAt],
        [URL_A, ['entry.*'], 'CDN purge', null],
      );
      const row = await webhookDb(t.store.db)
        .selectFrom('webhook_subscriptions')
        .selectAll()
        .where('id', '=', subscription.id)
        .executeTakeFirstOrThrow();
      assert.ok(!row.secret_sealed.includes(signingSecret));
      assert.equal(unsealWebhookSecret(TEST_MASTER_SECRET, row.secret_sealed), signingSecret);
      assert.ok(!('secret' in subscription) && !JSON.stringify(subscription).includes('whsec_'));
      const log = createEventLog(t.store);
      const events = await log.readTenant(tenant.id, 0, 1000);
      const created = events.find((e) => e.name === 'webhook.created' && e.subjectId === subscription.id);
      assert.ok(created);
      assert.equal(row.start_seq, created.seq);
      assert.deepEqual(created.data, { host: '127.0.0.1:9', events: ['entry.*'] });
      assert.equal(created.actor, 'user:u1');
    });

    test('bad input and refused targets', async () => {
      const refused = [
        create({ url: 'ftp://x.example/' }),
        create({ events: ['Bad Name'] }),
        create({ events: [] }),
        create({ url: URL_A, allow: false }),
      ];
      for (const attempt of refused) {
        await assert.rejects(attempt, (error: unknown) => isGalleyError(error, 'GALLEY_VALIDATION_FAILED'));
      }
      await assert.rejects(create({ tenantId: 'no-such-tenant' }), (e: unknown) =>
        isGalleyError(e, 'GALLEY_NOT_FOUND'),
      );
    });

    test('update changes fields, rotates the secret, disables and re-enables; records webhook.updated', async () => {
      const { subscription } = await create();
      const updated = await updateWebhook({
        db: t.store.db,
        secret: TEST_MASTER_SECRET,
        tenantId: tenant.id,
        subscriptionId: subscription.id,
        changes: { events: ['entry.published', 'entry.purge'], enabled: false, rotateSecret: true },
        allowPrivateTargets: true,
        actor: 'user:u2',
      });
      assert.deepEqual(updated.subscription.events, ['entry.published', 'entry.purge']);
      assert.equal(updated.subscription.disabledReason, 'disabled by user:u2');
      assert.match(updated.signingSecret ?? '', /^whsec_/);
      const events = await createEventLog(t.store).readTenant(tenant.id, 0, 1000, { names: ['webhook.updated'] });
      const last = events[events.length - 1];
      assert.deepEqual(last?.data, { changed: ['disabled_at', 'disabled_reason', 'events', 'secret'] });

      const enabled = await updateWebhook({
        db: t.store.db,
        secret: TEST_MASTER_SECRET,
        tenantId: tenant.id,
        subscriptionId: subscription.id,
        changes: { enabled: true, description: 'CDN purge' },
        allowPrivateTargets: true,
        actor: 'user:u2',
      });
      assert.equal(enabled.subscription.disabledAt, null);
      assert.equal(enabled.signingSecret, undefined);
      await assert.rejects(
        updateWebhook({
          db: t.store.db,
          secret: TEST_MASTER_SECRET,
          tenantId: tenant.id,
          subscriptionId: subscription.id,
          changes: { url: 'http://10.0.0.1/x' },
          allowPrivateTargets: false,
          actor: 'user:u2',
        }),
        (error: unknown) => isGalleyError(error, 'GALLEY_VALIDATION_FAILED'),
      );
    });

    test('disable is idempotent; delete removes it; other tenants never see it', async () => {
      const { subscription } = await create();
      const props = { db: t.store.db, tenantId: tenant.id, subscriptionId: subscription.id, actor: 'system' };
      assert.equal(await disableWebhook({ ...props, reason: 'receiver answered 410 Gone' }), true);
      assert.equal(await disableWebhook({ ...props, reason: 'again' }), false);
      assert.equal(
        (await getWebhook(t.store.db, tenant.id, subscription.id)).disabledReason,
        'receiver answered 410 Gone',
      );

      const other = await buildTenant(t.store.db);
      await assert.rejects(getWebhook(t.store.db, other.id, subscription.id), (e: unknown) =>
        isGalleyError(e, 'GALLEY_NOT_FOUND'),
      );
      await assert.rejects(deleteWebhook({ ...props, tenantId: other.id }), (e: unknown) =>
        isGalleyError(e, 'GALLEY_NOT_FOUND'),
      );
      await deleteWebhook(props);
      assert.ok(!(await listWebhooks(t.store.db, tenant.id)).some((s) => s.id === subscription.id));
      const deleted = await createEventLog(t.store).readTenant(tenant.id, 0, 1000, { names: ['webhook.deleted'] });
      assert.equal(deleted[deleted.length - 1]?.subjectId, subscription.id);
    });

    test(`a tenant holds at most ${MAX_SUBSCRIPTIONS_PER_TENANT} subscriptions`, async () => {
      const crowded = await buildTenant(t.store.db);
      for (let i = 0; i < MAX_SUBSCRIPTIONS_PER_TENANT; i += 1) await create({ tenantId: crowded.id });
      await assert.rejects(create({ tenantId: crowded.id }), (e: unknown) => isGalleyError(e, 'GALLEY_CONFLICT'));
      assert.equal((await listWebhooks(t.store.db, crowded.id)).length, MAX_SUBSCRIPTIONS_PER_TENANT);
    });
  });
}
