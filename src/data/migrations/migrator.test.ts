import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { type Kysely, sql } from 'kysely';
import { BACKENDS, openEmptyTestStore, TEST_DATABASE_URL } from '../../../test/support/backends.ts';
import type { Store } from '../store/port.ts';
import { openPostgresStore } from '../store/postgres/postgresStore.ts';
import { openSqliteStore } from '../store/sqlite/sqliteStore.ts';
import { readLedger } from './ledger.ts';
import type { LoadedMigration, Migration } from './migration.ts';
import { MIGRATION_LOCK_KEY, type MigrationReport, migrateToLatest } from './migrator.ts';
import { loadMigrations } from './registry.ts';

const run = promisify(execFile);
const CHILD = path.join(import.meta.dirname, '../../../test/fixtures/migrations/migrateOnce.ts');

function inline(id: string, migration: Migration, checksum = `sum-${id}`): LoadedMigration {
  return { id, checksum, migration };
}

const createThings: Migration = {
  async up(db) {
    await db.schema
      .createTable('things')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .execute();
  },
};

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

/** Every migration id applied exactly once across the reports, and recorded once in the ledger. */
function assertAppliedOnce(reports: readonly MigrationReport[], ids: readonly string[]): void {
  const applied = reports.flatMap((r) => r.applied).sort();
  assert.deepEqual(applied, [...ids].sort());
  for (const r of reports) assert.deepEqual([...r.applied, ...r.skipped].sort(), [...ids].sort());
}

for (const backend of BACKENDS) {
  describe(`migrator (${backend})`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    after(async () => {
      for (const c of cleanups) await c();
    });
    async function emptyStore(): Promise<Store> {
      const t = await openEmptyTestStore(backend);
      cleanups.push(t.cleanup);
      return t.store;
    }

    test('applies every migration once, records it, and skips it next time', async () => {
      const store = await emptyStore();
      const all = await loadMigrations();
      const first = await migrateToLatest(store);
      assert.deepEqual(
        first.applied,
        all.map((m) => m.id),
      );
      assert.deepEqual(
        first.timings.map((t) => t.id),
        first.applied,
      );
      for (const t of first.timings) assert.ok(t.durationMs >= 0);
      const ledger = await readLedger(store.db, store.dialect);
      assert.deepEqual(
        [...ledger.keys()].sort(),
        all.map((m) => m.id),
      );
      const second = await migrateToLatest(store);
      assert.deepEqual(second.applied, []);
      assert.deepEqual(
        second.skipped,
        all.map((m) => m.id),
      );
    });

    test('refuses a migration whose file changed after it was applied', async () => {
      const store = await emptyStore();
      await migrateToLatest(store, [inline('0001_things', createThings, 'a')]);
      await assert.rejects(migrateToLatest(store, [inline('0001_things', createThings, 'b')]), /checksum mismatch/);
    });

    test('a failing migration rolls back whole, is not recorded, and stops the run', async () => {
      const store = await emptyStore();
      const failing: Migration = {
        async up(db) {
          await db.schema.createTable('half_done').addColumn('id', 'text').execute();
          await sql`select * from no_such_table`.execute(db);
        },
      };
      await assert.rejects(
        migrateToLatest(store, [
          inline('0001_things', createThings),
          inline('0002_bad', failing),
          inline('0003_later', createThings),
        ]),
        /migration 0002_bad failed/,
      );
      assert.equal(await tableExists(store, 'things'), true);
      assert.equal(await tableExists(store, 'half_done'), false);
      assert.deepEqual([...(await readLedger(store.db, store.dialect)).keys()], ['0001_things']);
    });

    if (backend === 'distributed') {
      test('each PostgreSQL step runs with lock_timeout 5s and statement_timeout 60s', async () => {
        const store = await emptyStore();
        const seen: Record<string, string>[] = [];
        const probe: Migration = {
          async up(db: Kysely<unknown>) {
            const { rows } = await sql<
              Record<string, string>
            >`select current_setting('lock_timeout') as lock, current_setting('statement_timeout') as statement`.execute(
              db,
            );
            seen.push(...rows);
          },
        };
        await migrateToLatest(store, [inline('0001_probe', probe)]);
        assert.deepEqual(seen, [{ lock: '5s', statement: '1min' }]);
        // SET LOCAL ends with the step's transaction; the pooled connection keeps the server defaults.
        const { rows } = await sql<{ lock: string }>`select current_setting('lock_timeout') as lock`.execute(store.db);
        assert.equal(rows[0]?.lock, '0');
      });

      test('four stores migrating one fresh schema at once apply each migration exactly once', async () => {
        const t = await openEmptyTestStore(backend);
        cleanups.push(t.cleanup);
        const { store: first, schema } = t;
        assert.ok(schema !== undefined);
        const others = [1, 2, 3].map(() => openPostgresStore({ connectionString: TEST_DATABASE_URL, max: 2, schema }));
        try {
          const reports = await Promise.all([first, ...others].map((s) => migrateToLatest(s)));
          assertAppliedOnce(
            reports,
            (await loadMigrations()).map((m) => m.id),
          );
          const counts = await first.db
            .selectFrom('galley_migrations')
            .select(['id', sql<number>`count(*)`.as('n')])
            .groupBy('id')
            .execute();
          for (const c of counts) assert.equal(Number(c.n), 1);
          // The advisory lock was released: nothing is left holding it.
          const locks = await sql<{
            n: number;
          }>`select count(*)::int as n from pg_locks where locktype = 'advisory' and classid = ${MIGRATION_LOCK_KEY}::oid and objid = hashtext(${schema})::oid`.execute(
            first.db,
          );
          assert.equal(locks.rows[0]?.n, 0);
        } finally {
          for (const s of others) await s.close();
        }
      });
    } else {
      test('four processes migrating one fresh SQLite file at once apply each migration exactly once', async () => {
        const dir = mkdtempSync(path.join(os.tmpdir(), 'galley-mig-'));
        cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
        const file = path.join(dir, 'galley.db');
        const outputs = await Promise.all(
          [1, 2, 3, 4].map(() => run(process.execPath, [CHILD, file], { timeout: 120_000 })),
        );
        const reports = outputs.map((o) => JSON.parse(o.stdout) as MigrationReport);
        assertAppliedOnce(
          reports,
          (await loadMigrations()).map((m) => m.id),
        );
        const store = openSqliteStore({ filename: file });
        try {
          assert.equal((await readLedger(store.db, store.dialect)).size, (await loadMigrations()).length);
        } finally {
          await store.close();
        }
      });
    }
  });
}
