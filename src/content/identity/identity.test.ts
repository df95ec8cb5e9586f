/** Identity use cases on every backend: tenants, users, memberships, service accounts, and their events. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTenant, buildUser } from '../../../test/factories.ts';
import { BACKENDS, openTestStore, type TestStore } from '../../../test/support/backends.ts';
import { createEventLog } from '../../data/events/eventLog.ts';
import { isGalleyError } from '../../experience/errors/errors.ts';
import { grantMembership } from './membershipGranter.ts';
import { createServiceAccount } from './serviceAccountCreator.ts';
import { createTenant } from './tenantCreator.ts';
import { createUser } from './userCreator.ts';

for (const backend of BACKENDS) {
  describe(`identity (${backend})`, () => {
    let t: TestStore;
    before(async () => {
      t = await openTestStore(backend);
    });
    after(async () => {
      await t.cleanup();
    });

    test('createTenant writes the row and a tenant.created event', async () => {
      const tenant = await createTenant({
        db: t.store.db,
        slug: 'daily-planet',
        name: 'Daily Planet',
        actor: 'system',
      });
      const events = await createEventLog(t.store).readTenant(tenant.id, 0, 10);
      assert.deepEqual(
        events.map((e) => [e.name, e.seq, e.subjectId]),
        [['tenant.created', 1, tenant.id]],
      );
    });

    test('bad and duplicate slugs are refused with stable codes', async () => {
      await assert.rejects(
        createTenant({ db: t.store.db, slug: 'Bad Slug', name: 'x', actor: 'system' }),
        (e: unknown) => isGalleyError(e, 'GALLEY_VALIDATION_FAILED'),
      );
      await assert.rejects(
        createTenant({ db: t.store.db, slug: 'daily-planet', name: 'x', actor: 'system' }),
        (e: unknown) => isGalleyError(e, 'GALLEY_CONFLICT'),
      );
    });

    test('users are unique by normalised email; short passwords are refused', async () => {
      const tenant = await buildTenant(t.store.db);
      const user = await createUser({
        db: t.store.db,
        tenantId: tenant.id,
        email: ' Ann@Example.TEST ',
        name: 'Ann',
        actor: 'system',
      });
      assert.equal(user.email, 'ann@example.test');
      await assert.rejects(
        createUser({ db: t.store.db, tenantId: tenant.id, email: 'ann@example.test', name: 'Dup', actor: 'system' }),
        (e: unknown) => isGalleyError(e, 'GALLEY_CONFLICT'),
      );
      await assert.rejects(
        createUser({
          db: t.store.db,
          tenantId: tenant.id,
          email: 'bob@example.test',
          name: 'Bob',
          password: 'short',
          actor: 'system',
        }),
        (e: unknown) => isGalleyError(e, 'GALLEY_VALIDATION_FAILED'),
      );
    });

    test('memberships upsert the role; a user can belong to several tenants', async () => {
      const a = await buildTenant(t.store.db);
      const b = await buildTenant(t.store.db);
      const user = await buildUser(t.store.db, { tenantId: a.id, role: 'author' });
      await grantMembership({ db: t.store.db, tenantId: a.id, userId: user.id, role: 'editor', actor: 'system' });
      await grantMembership({ db: t.store.db, tenantId: b.id, userId: user.id, role: 'viewer', actor: 'system' });
      const rows = await t.store.db
        .selectFrom('memberships')
        .select(['tenant_id', 'role'])
        .where('user_id', '=', user.id)
        .orderBy('role')
        .execute();
      assert.deepEqual(
        rows.map((r) => [r.tenant_id, r.role]).sort(),
        [
          [a.id, 'editor'],
          [b.id, 'viewer'],
        ].sort(),
      );
    });

    test('service accounts belong to one tenant and cannot be owners', async () => {
      const tenant = await buildTenant(t.store.db);
      const account = await createServiceAccount({
        db: t.store.db,
        tenantId: tenant.id,
        name: 'CI import',
        role: 'editor',
        actor: 'system',
      });
      assert.equal(account.tenant_id, tenant.id);
      await assert.rejects(
        createServiceAccount({ db: t.store.db, tenantId: tenant.id, name: 'x', role: 'owner', actor: 'system' }),
        (e: unknown) => isGalleyError(e, 'GALLEY_VALIDATION_FAILED'),
      );
      await assert.rejects(
        createServiceAccount({
          db: t.store.db,
          tenantId: 'no-such-tenant',
          name: 'x',
          role: 'viewer',
          actor: 'system',
        }),
        (e: unknown) => isGalleyError(e, 'GALLEY_NOT_FOUND'),
      );
    });

    test('a failure inside a composed transaction leaves no tenant and no event', async () => {
      await assert.rejects(
        t.store.db.transaction().execute(async (trx) => {
          await createTenant({ db: trx, slug: 'rolled-back', name: 'x', actor: 'system' });
          throw new Error('abort');
        }),
        /abort/,
      );
      const row = await t.store.db
        .selectFrom('tenants')
        .select('id')
        .where('slug', '=', 'rolled-back')
        .executeTakeFirst();
      assert.equal(row, undefined);
    });
  });
}
