import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { BACKENDS, openEmptyTestStore } from '../../../test/support/backends.ts';
import type { Store } from '../store/port.ts';
import { dryRun } from './dryRun.ts';
import { pendingMigrations, readLedger } from './ledger.ts';
import type { LoadedMigration, Migration } from './migration.ts';
import { migrateToLatest } from './migrator.ts';
import { loadMigrations } from './registry.ts';

async function tableExists(store: Store, table: string): Promise<boolean> {
  if (store.dialect === 'postgres') {
    const { rows } = await sql<{ present: boolean }>`select to_regclass(${table}) is not null as present`.execute(
      store.db,
    );
    return rows[0]?.present === true;
  }
  const { rows } = await sql<{
    n: number;
  }>`select count(*) as n from sqlite_master where type = 'table' and name = ${table}`.execute(store.db);
  return Number(rows[0]?.n) > 0;
}

const seedRow: Migration = {
  async up(db) {
    await db.schema
      .createTable('dry_things')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .execute();
    await sql`insert into dry_things (id) values (${'first'})`.execute(db);
  },
};

for (const backend of BACKENDS) {
  describe(`dryRun (${backend})`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    after(async () => {
      for (const c of cleanups) await c();
    });
    async function emptyStore(): Promise<Store> {
      const t = await openEmptyTestStore(backend);
      cleanups.push(t.cleanup);
      return t.store;
    }

    test('rehearses every pending migration, reports its SQL, and keeps nothing', async () => {
      const store = await emptyStore();
      const all = await loadMigrations();
      const steps = await dryRun(store);
      assert.deepEqual(
        steps.map((s) => s.id),
        all.map((m) => m.id),
      );
      const only = new Map(all.map((m) => [m.id, m.migration.dialects]));
      for (const step of steps) {
        assert.ok(step.durationMs >= 0);
        const dialects = only.get(step.id);
        const applies = dialects === undefined || dialects.includes(store.dialect);
        assert.equal(step.statements.length > 0, applies, `${step.id} printed its SQL exactly when it applies`);
        if (backend === 'distributed') {
          assert.deepEqual(step.statements.slice(0, 2), [
            "SET LOCAL lock_timeout = '5s'",
            "SET LOCAL statement_timeout = '60s'",
          ]);
        }
      }
      const identity = steps.find((s) => s.id === '0001_identity');
      assert.ok(identity?.statements.some((s) => s.startsWith('create table if not exists "tenants"')));
      assert.equal(await tableExists(store, 'tenants'), false);
      assert.equal(await tableExists(store, 'galley_migrations'), false);
      assert.deepEqual(
        (await pendingMigrations(store, all)).map((m) => m.id),
        all.map((m) => m.id),
      );
      // The store is still usable and a real run afterwards applies everything.
      const report = await migrateToLatest(store);
      assert.deepEqual(
        report.applied,
        all.map((m) => m.id),
      );
      assert.deepEqual(await dryRun(store), []);
    });

    test('later steps see earlier steps; parameters are shown; only pending ones run', async () => {
      const store = await emptyStore();
      const first: LoadedMigration = { id: '0001_dry', checksum: 'a', migration: seedRow };
      const second: LoadedMigration = {
        id: '0002_dry',
        checksum: 'b',
        migration: {
          async up(db) {
            await sql`update dry_things set id = ${'second'}`.execute(db);
          },
        },
      };
      assert.deepEqual(
        (await dryRun(store, [first, second])).map((s) => s.id),
        ['0001_dry', '0002_dry'],
      );
      await migrateToLatest(store, [first]);
      const steps = await dryRun(store, [first, second]);
      assert.deepEqual(
        steps.map((s) => s.id),
        ['0002_dry'],
      );
      assert.ok(
        steps[0]?.statements.some((s) => s.includes('update dry_things') && s.includes('-- parameters: ["second"]')),
      );
      const rows = await sql<{ id: string }>`select id from dry_things`.execute(store.db);
      assert.deepEqual(rows.rows, [{ id: 'first' }]);
      assert.deepEqual([...(await readLedger(store.db, store.dialect)).keys()], ['0001_dry']);
    });

    test('a failing migration names itself and leaves nothing behind', async () => {
      const store = await emptyStore();
      const failing: LoadedMigration = {
        id: '0002_broken',
        checksum: 'c',
        migration: {
          async up(db) {
            await sql`select * from missing_table`.execute(db);
          },
        },
      };
      await assert.rejects(
        dryRun(store, [{ id: '0001_dry', checksum: 'a', migration: seedRow }, failing]),
        /dry run of migration 0002_broken failed/,
      );
      assert.equal(await tableExists(store, 'dry_things'), false);
    });
  });
}
