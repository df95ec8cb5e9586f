/** Prepared writes on both backends: values in their slots, transactions, and plugins still applied per run. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import { BACKENDS, openTestStore, type TestStore } from '../../../test/support/backends.ts';
import { TableRenamePlugin } from '../../content/projections/tableRename.ts';
import { PreparedWrite } from './preparedWrite.ts';
import type { Database } from './schema.ts';

const insertTenant = new PreparedWrite<Database, { id: string; slug: string; name: string }>((db, slot) =>
  db.insertInto('tenants').values({ id: slot('id'), slug: slot('slug'), name: slot('name'), created_at: '2025-01-01' }),
);

const renameTenant = new PreparedWrite<Database, { id: string; name: string }>((db, slot) =>
  db
    .updateTable('tenants')
    .set({ name: slot('name') })
    .where('id', '=', slot('id')),
);

/** The rebuild's real table-rename plugin sending `tenants` to `tenants_copy`, counting the queries it saw. */
class RedirectPlugin implements KyselyPlugin {
  seen = 0;
  readonly #rename = new TableRenamePlugin(new Map([['tenants', 'tenants_copy']]));
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.seen += 1;
    return this.#rename.transformQuery(args);
  }
  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return this.#rename.transformResult(args);
  }
}

for (const backend of BACKENDS) {
  describe(`prepared writes (${backend})`, () => {
    let t: TestStore;
    before(async () => {
      t = await openTestStore(backend);
      await t.store.db.schema
        .createTable('tenants_copy')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('slug', 'text')
        .addColumn('name', 'text')
        .addColumn('created_at', 'text')
        .execute();
    });
    after(async () => {
      await t.cleanup();
    });

    const names = async (table: 'tenants' | 'tenants_copy', ids: string[]) =>
      (
        await t.store.db
          .selectFrom(table as 'tenants')
          .select(['id', 'name'])
          .where('id', 'in', ids)
          .orderBy('id')
          .execute()
      ).map((r) => `${r.id}:${r.name}`);

    test('runs again and again with new values, alone or in a transaction', async () => {
      await insertTenant.execute(t.store.db, { id: 'pw-1', slug: 'pw-1', name: 'One' });
      await insertTenant.execute(t.store.db, { id: 'pw-2', slug: 'pw-2', name: 'Two' });
      await t.store.db.transaction().execute(async (trx) => {
        const result = await renameTenant.execute(trx, { id: 'pw-1', name: 'Uno' });
        assert.equal(result.numAffectedRows, 1n);
        assert.equal((await renameTenant.execute(trx, { id: 'missing', name: 'x' })).numAffectedRows, 0n);
      });
      assert.deepEqual(await names('tenants', ['pw-1', 'pw-2']), ['pw-1:Uno', 'pw-2:Two']);
      await assert.rejects(
        t.store.db.transaction().execute(async (trx) => {
          await renameTenant.execute(trx, { id: 'pw-2', name: 'Dos' });
          throw new Error('roll back');
        }),
      );
      assert.deepEqual(await names('tenants', ['pw-2']), ['pw-2:Two']);
    });

    test("every run passes through the handle's plugins, rewrites included", async () => {
      const plugin = new RedirectPlugin();
      const redirected = t.store.db.withPlugin(plugin);
      await insertTenant.execute(redirected, { id: 'pw-3', slug: 'pw-3', name: 'Three' });
      await renameTenant.execute(redirected, { id: 'pw-3', name: 'Tres' });
      assert.equal(plugin.seen, 2);
      assert.deepEqual(await names('tenants_copy', ['pw-3']), ['pw-3:Tres']);
      assert.deepEqual(await names('tenants', ['pw-3']), []);
      // The plain handle still writes the original table.
      await insertTenant.execute(t.store.db, { id: 'pw-4', slug: 'pw-4', name: 'Four' });
      assert.deepEqual(await names('tenants', ['pw-4']), ['pw-4:Four']);
    });
  });
}
