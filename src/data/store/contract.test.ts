/** Store contract: the same cases on every backend. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS, openTestStore, type TestStore } from '../../../test/support/backends.ts';

for (const backend of BACKENDS) {
  describe(`store contract (${backend})`, () => {
    let t: TestStore;
    before(async () => {
      t = await openTestStore(backend);
    });
    after(async () => {
      await t.cleanup();
    });

    test('ping answers', async () => {
      await t.store.ping();
    });

    test('round-trips a tenant row with identical shapes', async () => {
      const now = new Date().toISOString();
      await t.store.db.insertInto('tenants').values({ id: 't1', slug: 'one', name: 'One', created_at: now }).execute();
      const row = await t.store.db.selectFrom('tenants').selectAll().where('id', '=', 't1').executeTakeFirstOrThrow();
      assert.deepEqual(row, { id: 't1', slug: 'one', name: 'One', created_at: now });
    });

    test('a failed transaction leaves nothing behind', async () => {
      const now = new Date().toISOString();
      await assert.rejects(
        t.store.db.transaction().execute(async (trx) => {
          await trx.insertInto('tenants').values({ id: 't2', slug: 'two', name: 'Two', created_at: now }).execute();
          throw new Error('boom');
        }),
        /boom/,
      );
      const row = await t.store.db.selectFrom('tenants').select('id').where('id', '=', 't2').executeTakeFirst();
      assert.equal(row, undefined);
    });

    test('unique constraints hold', async () => {
      const now = new Date().toISOString();
      await assert.rejects(
        t.store.db.insertInto('tenants').values({ id: 't3', slug: 'one', name: 'Dup', created_at: now }).execute(),
      );
    });

    test('insert … returning works', async () => {
      const now = new Date().toISOString();
      const row = await t.store.db
        .insertInto('tenants')
        .values({ id: 't4', slug: 'four', name: 'Four', created_at: now })
        .returning(['id', 'slug'])
        .executeTakeFirstOrThrow();
      assert.deepEqual(row, { id: 't4', slug: 'four' });
    });
  });
}
