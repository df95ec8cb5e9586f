/**
 * Applies pending migrations in order, each in its own transaction, recording id, checksum and duration in
 * `galley_migrations`. A released migration whose file changed is refused (checksum mismatch).
 *
 * Many processes may start at once (a rollout, a scaled deployment); each migration is still applied exactly
 * once. On PostgreSQL the whole run holds a session advisory lock on one pooled connection, so runs queue
 * behind each other and later ones find everything recorded. On SQLite each step takes the write lock up front
 * (BEGIN IMMEDIATE) and re-reads the ledger inside it, which serializes processes sharing the file.
 */
import { type Kysely, sql } from 'kysely';
import type { Dialect, Store } from '../store/port.ts';
import type { Database } from '../store/schema.ts';
import { applyStep, assertUnchanged, ensureLedger, readLedger } from './ledger.ts';
import type { LoadedMigration } from './migration.ts';
import { loadMigrations } from './registry.ts';

/** How long one applied migration took. */
export interface MigrationTiming {
  readonly id: string;
  /** Wall-clock time of the migration's statements, in milliseconds. */
  readonly durationMs: number;
}

/** What one migration run did. */
export interface MigrationReport {
  /** Ids applied by this run, in order. */
  readonly applied: readonly string[];
  /** Ids that were already applied (possibly by a concurrent run). */
  readonly skipped: readonly string[];
  /** Duration of each applied migration, in the order applied. */
  readonly timings: readonly MigrationTiming[];
}

/**
 * First key of the two-key advisory lock ("Gall" in ASCII). The second key is a hash of the current schema, so
 * deployments that share a database but not a schema (and parallel test schemas) do not wait on each other.
 */
export const MIGRATION_LOCK_KEY = 0x47616c6c;

/** Runs `fn` on one connection; on PostgreSQL while holding the migration advisory lock for this schema. */
async function withMigrationLock<T>(store: Store, fn: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  return store.db.connection().execute(async (db) => {
    if (store.dialect !== 'postgres') return fn(db);
    // coalesce: a NULL key would make the lock call a silent no-op.
    const key = sql`${sql.lit(MIGRATION_LOCK_KEY)}, hashtext(coalesce(current_schema(), ''))`;
    await sql`select pg_advisory_lock(${key})`.execute(db);
    try {
      return await fn(db);
    } finally {
      // Session locks outlive transactions; a pooled connection must not go back to the pool holding one.
      await sql`select pg_advisory_unlock(${key})`.execute(db);
    }
  });
}

/**
 * Runs `fn` in one migration's transaction on the held connection. On SQLite the driver begins every transaction
 * IMMEDIATE, taking the write lock before the ledger is re-read, so two processes cannot both see a migration as
 * pending.
 */
async function inStepTransaction<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.transaction().execute(fn);
}

/** Applies one migration unless a concurrent run recorded it first; returns its duration, or undefined if skipped. */
async function applyOnce(db: Kysely<Database>, dialect: Dialect, m: LoadedMigration): Promise<number | undefined> {
  return inStepTransaction(db, async (trx) => {
    const row = await trx.selectFrom('galley_migrations').select('checksum').where('id', '=', m.id).executeTakeFirst();
    if (row !== undefined) {
      assertUnchanged(m, row.checksum);
      return undefined;
    }
    const started = performance.now();
    try {
      await applyStep(trx as unknown as Kysely<unknown>, dialect, m.migration);
    } catch (error) {
      throw new Error(`migration ${m.id} failed: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    const durationMs = Math.round(performance.now() - started);
    await trx
      .insertInto('galley_migrations')
      .values({ id: m.id, checksum: m.checksum, applied_at: new Date().toISOString(), duration_ms: durationMs })
      .execute();
    return durationMs;
  });
}

/**
 * Brings the store's schema up to date with `migrations` (default: the files in this folder). Safe to call from
 * many processes at once. A failing migration rolls back, stops the run and is rethrown with its id.
 */
export async function migrateToLatest(store: Store, migrations?: readonly LoadedMigration[]): Promise<MigrationReport> {
  const all = migrations ?? (await loadMigrations());
  return withMigrationLock(store, async (db) => {
    await ensureLedger(db);
    const recorded = await readLedger(db, store.dialect);
    for (const m of all) assertUnchanged(m, recorded.get(m.id));
    const applied: string[] = [];
    const skipped: string[] = [];
    const timings: MigrationTiming[] = [];
    for (const m of all) {
      const durationMs = recorded.has(m.id) ? undefined : await applyOnce(db, store.dialect, m);
      if (durationMs === undefined) {
        skipped.push(m.id);
      } else {
        applied.push(m.id);
        timings.push(Object.freeze({ id: m.id, durationMs }));
      }
    }
    return Object.freeze({ applied, skipped, timings });
  });
}
