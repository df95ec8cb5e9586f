/**
 * The shape of one migration. One set serves both dialects: `up` receives the dialect and branches only where
 * the SQL must differ. Files are named `NNNN_description.ts` and export `migration`; they are applied in name
 * order and never edited once released (the runner records a checksum of each file and refuses a changed one).
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../store/port.ts';

/** One forward-only schema step. */
export interface Migration {
  /** Applies the step. Runs inside a transaction on both dialects. */
  up(db: Kysely<unknown>, dialect: Dialect): Promise<void>;
  /**
   * Set only on a *contract* step that drops, renames or retypes something: the id of the earlier *expand*
   * migration that introduced its replacement. `galley migrate --check` refuses destructive SQL without it.
   */
  readonly contractOf?: string;
  /**
   * Set when the step only changes some dialects (e.g. a PostgreSQL-only index); on the others `up` issues no SQL
   * and the step is recorded as applied all the same.
   */
  readonly dialects?: readonly Dialect[];
}

/** A migration together with its id (file name without extension) and source checksum. */
export interface LoadedMigration {
  readonly id: string;
  readonly checksum: string;
  readonly migration: Migration;
}
