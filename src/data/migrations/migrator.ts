/**
 * Applies pending migrations in order, each in its own transaction, recording id, checksum and duration in
 * `galley_migrations`. A released migration whose file changed is refused (checksum mismatch).
 */
import type { Kysely } from 'kysely';
import type { Store } from '../store/port.ts';
import type { LoadedMigration } from './migration.ts';
import { loadMigrations } from './registry.ts';

/** What one migration run did. */
export interface MigrationReport {
  /** Ids applied by this run, in order. */
  readonly applied: readonly string[];
  /** Ids that were already applied. */
  readonly skipped: readonly string[];
}

async function ensureLedger(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('galley_migrations')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('checksum', 'text', (c) => c.notNull())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .addColumn('duration_ms', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
}

/** Brings the store's schema up to date. */
export async function migrateToLatest(store: Store, migrations?: readonly LoadedMigration[]): Promise<MigrationReport> {
  const all = migrations ?? (await loadMigrations());
  const db = store.db;
  await ensureLedger(db as unknown as Kysely<unknown>);
  const done = new Map(
    (await db.selectFrom('galley_migrations').select(['id', 'checksum']).execute()).map((r) => [r.id, r.checksum]),
  );
  const applied: string[] = [];
  const skipped: string[] = [];
  for (const m of all) {
    const recorded = done.get(m.id);
    if (recorded !== undefined) {
      if (recorded !== m.checksum)
        throw new Error(`migration ${m.id} changed after it was applied (checksum mismatch)`);
      skipped.push(m.id);
      continue;
    }
    const started = performance.now();
    await db.transaction().execute(async (trx) => {
      await m.migration.up(trx as unknown as Kysely<unknown>, store.dialect);
      await trx
        .insertInto('galley_migrations')
        .values({
          id: m.id,
          checksum: m.checksum,
          applied_at: new Date().toISOString(),
          duration_ms: Math.round(performance.now() - started),
        })
        .execute();
    });
    applied.push(m.id);
  }
  return { applied, skipped };
}
