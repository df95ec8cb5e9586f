/**
 * The `galley_migrations` ledger and the one step every runner shares. The real run, the dry run and the
 * offline check all go through `applyStep`, so the SQL `--dry-run` prints and `--check` lints is the SQL a
 * real run sends, timeouts included.
 */
import { type Kysely, sql } from 'kysely';
import type { Dialect, Store } from '../store/port.ts';
import type { Database } from '../store/schema.ts';
import type { LoadedMigration, Migration } from './migration.ts';

/**
 * Per-migration PostgreSQL limits: a DDL statement waiting behind a long query would queue every later query
 * on that table behind it, so it gives up after 5 s instead; 60 s caps a runaway rewrite.
 */
export const POSTGRES_STEP_SETTINGS: readonly string[] = Object.freeze([
  "SET LOCAL lock_timeout = '5s'",
  "SET LOCAL statement_timeout = '60s'",
]);

/** Runs one migration on `db`, which must be inside that migration's transaction (SET LOCAL lasts until its end). */
export async function applyStep(db: Kysely<unknown>, dialect: Dialect, migration: Migration): Promise<void> {
  if (dialect === 'postgres') {
    for (const setting of POSTGRES_STEP_SETTINGS) await sql.raw(setting).execute(db);
  }
  await migration.up(db, dialect);
}

/** Creates the ledger if it is missing. */
export async function ensureLedger(db: Kysely<Database>): Promise<void> {
  await db.schema
    .createTable('galley_migrations')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('checksum', 'text', (c) => c.notNull())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .addColumn('duration_ms', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
}

async function ledgerExists(db: Kysely<Database>, dialect: Dialect): Promise<boolean> {
  if (dialect === 'postgres') {
    // to_regclass resolves through search_path, so a ledger in another schema does not count.
    const { rows } = await sql<{
      present: boolean;
    }>`select to_regclass('galley_migrations') is not null as present`.execute(db);
    return rows[0]?.present === true;
  }
  const { rows } = await sql<{
    n: number;
  }>`select count(*) as n from sqlite_master where type = 'table' and name = 'galley_migrations'`.execute(db);
  return Number(rows[0]?.n ?? 0) > 0;
}

/** Recorded migrations (id → checksum); empty when the ledger does not exist yet. Never creates anything. */
export async function readLedger(db: Kysely<Database>, dialect: Dialect): Promise<ReadonlyMap<string, string>> {
  if (!(await ledgerExists(db, dialect))) return new Map();
  const rows = await db.selectFrom('galley_migrations').select(['id', 'checksum']).execute();
  return new Map(rows.map((r) => [r.id, r.checksum]));
}

/** Throws when a recorded migration's file changed after it was applied. */
export function assertUnchanged(migration: LoadedMigration, recordedChecksum: string | undefined): void {
  if (recordedChecksum !== undefined && recordedChecksum !== migration.checksum) {
    throw new Error(`migration ${migration.id} changed after it was applied (checksum mismatch)`);
  }
}

/** The migrations of `migrations` that the store has not recorded, in order; refuses changed files. */
export async function pendingMigrations(
  store: Store,
  migrations: readonly LoadedMigration[],
): Promise<readonly LoadedMigration[]> {
  const recorded = await readLedger(store.db, store.dialect);
  for (const m of migrations) assertUnchanged(m, recorded.get(m.id));
  return migrations.filter((m) => !recorded.has(m.id));
}
