/** Store contract: the same cases on every backend. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
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

    test('prepared reads see committed rows and take fresh parameters', async () => {
      const now = new Date().toISOString();
      await t.store.db.insertInto('tenants').values({ id: 'p1', slug: 'p1', name: 'P1', created_at: now }).execute();
      const byId = t.store.prepare(t.store.db.selectFrom('tenants').select(['id', 'name']).where('id', '=', 'x'));
      assert.deepEqual(await byId.first(['p1']), { id: 'p1', name: 'P1' });
      assert.equal(await byId.first(['nope']), undefined);
      assert.deepEqual(await byId.all(['p1']), [{ id: 'p1', name: 'P1' }]);
      assert.throws(() => t.store.prepare(t.store.db.deleteFrom('tenants').where('id', '=', 'x')));
    });

    test('raw SQL that starts with SELECT or WITH prepares too; other raw SQL does not', async () => {
      const now = new Date().toISOString();
      await t.store.db.insertInto('tenants').values({ id: 'r1', slug: 'r1', name: 'R1', created_at: now }).execute();
      const param = (n: number) => (t.store.dialect === 'postgres' ? `$${n}` : `?${n}`);
      const raw = (text: string) => ({ compile: () => sql.raw(text).compile(t.store.db) });
      const named = t.store.prepare<{ name: string }>(
        raw(
          `with x as (select name from tenants where id = ${param(1)}) select name from x where ${param(1)} = ${param(1)}`,
        ),
      );
      assert.deepEqual(await named.first(['r1']), { name: 'R1' });
      assert.deepEqual(await named.all(['nope']), []);
      assert.throws(() => t.store.prepare(raw(`delete from tenants where id = ${param(1)}`)), TypeError);
      assert.throws(() => t.store.prepare(raw(`update tenants set name = 'x'`)), TypeError);
    });

    test('uncommitted writes are invisible to readers outside the transaction', async () => {
      const now = new Date().toISOString();
      let release: () => void = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      let inserted: () => void = () => {};
      const insertedSignal = new Promise<void>((resolve) => {
        inserted = resolve;
      });
      const trx = t.store.db.transaction().execute(async (tx) => {
        await tx.insertInto('tenants').values({ id: 'u1', slug: 'u1', name: 'U1', created_at: now }).execute();
        inserted();
        await gate;
      });
      await insertedSignal;
      const outside = await t.store.db.selectFrom('tenants').select('id').where('id', '=', 'u1').executeTakeFirst();
      assert.equal(outside, undefined);
      // An autocommit write issued now must not land inside the open transaction.
      const write = t.store.db
        .insertInto('tenants')
        .values({ id: 'u2', slug: 'u2', name: 'U2', created_at: now })
        .execute();
      release();
      await Promise.all([trx, write]);
      const both = await t.store.db.selectFrom('tenants').select('id').where('id', 'in', ['u1', 'u2']).execute();
      assert.equal(both.length, 2);
    });

    test('concurrent autocommit writes all land; a failing one fails alone', async () => {
      const now = new Date().toISOString();
      const writes = Array.from({ length: 50 }, (_, i) =>
        t.store.db
          .insertInto('tenants')
          .values({ id: `g${i}`, slug: `g${i}`, name: 'G', created_at: now })
          .execute(),
      );
      // Same slug as g0: violates the unique constraint.
      const clash = t.store.db
        .insertInto('tenants')
        .values({ id: 'gx', slug: 'g0', name: 'X', created_at: now })
        .execute();
      const results = await Promise.allSettled([...writes, clash]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 50);
      assert.equal(results.at(-1)?.status, 'rejected');
      const rows = await t.store.db.selectFrom('tenants').select('id').where('id', 'like', 'g%').execute();
      assert.equal(rows.length, 50);
    });
  });
}
