/**
 * Rehearses pending migrations against the real database and keeps nothing: every pending migration runs, in
 * order, inside one transaction that is always rolled back. Later migrations see the earlier ones' tables, as
 * they would in a real run; the ledger is only read (never created), so a fresh database stays empty.
 */
import type { Kysely } from 'kysely';
import type { Store } from '../store/port.ts';
import { applyStep, pendingMigrations } from './ledger.ts';
import type { LoadedMigration } from './migration.ts';
import { loadMigrations } from './registry.ts';
import { formatStatement, StatementCapture } from './sqlCapture.ts';

/** What one pending migration would do. */
export interface DryRunStep {
  readonly id: string;
  /** Every statement it executed, in order, as text (bound parameters in a trailing comment). */
  readonly statements: readonly string[];
  /** How long its statements took inside the rehearsal, in milliseconds. */
  readonly durationMs: number;
}

/**
 * Runs each pending migration of `migrations` (default: the files in this folder) and rolls all of them back.
 * Throws, naming the migration, when one fails; nothing persists either way.
 */
export async function dryRun(store: Store, migrations?: readonly LoadedMigration[]): Promise<readonly DryRunStep[]> {
  const pending = await pendingMigrations(store, migrations ?? (await loadMigrations()));
  if (pending.length === 0) return [];
  const steps: DryRunStep[] = [];
  const trx = await store.db.startTransaction().execute();
  try {
    for (const m of pending) {
      const capture = new StatementCapture(store.dialect);
      const started = performance.now();
      try {
        await applyStep(trx.withPlugin(capture) as unknown as Kysely<unknown>, store.dialect, m.migration);
      } catch (error) {
        throw new Error(
          `dry run of migration ${m.id} failed: ${error instanceof Error ? error.message : String(error)}`,
          {
            cause: error,
          },
        );
      }
      const durationMs = Math.round((performance.now() - started) * 10) / 10;
      steps.push(
        Object.freeze({ id: m.id, statements: Object.freeze(capture.statements.map(formatStatement)), durationMs }),
      );
    }
  } finally {
    await trx.rollback().execute();
  }
  return Object.freeze(steps);
}
