/** Row types of the flag tables (migration 0015) and the typed handle over them. */
import type { Kysely } from 'kysely';
import type { Database } from '../../data/store/schema.ts';

/** The current definition of one flag that has been set (a task without a row has its built-in definition). */
export interface FeatureFlagsTable {
  /** `ai.<task>`. */
  key: string;
  /** The FlagDefinition as JSON. */
  definition: string;
  /** The flag-set version of the change that wrote this definition. */
  version: number;
  updated_at: string;
  /** Who changed it: `user:<id>`, `service:<id>` or `system`. */
  updated_by: string;
}

/** The audit trail: one row per change, numbered by the flag-set version it produced. */
export interface FeatureFlagEventsTable {
  version: number;
  key: string;
  /** The definition before (JSON), null when the flag had its built-in definition. */
  from_definition: string | null;
  /** The definition after (JSON). */
  to_definition: string;
  actor: string;
  at: string;
}

/** The single counter row (`name` = `flags`) whose lock serializes changes and numbers them. */
export interface FeatureFlagHeadTable {
  name: string;
  version: number;
}

/** The flag tables alone. */
export type FlagOnlyTables = {
  feature_flags: FeatureFlagsTable;
  feature_flag_events: FeatureFlagEventsTable;
  feature_flag_head: FeatureFlagHeadTable;
};

/** The identity schema plus the flag tables. */
export type FlagTables = Database & FlagOnlyTables;

/** The store (or a transaction) typed over the identity and flag tables. */
export function flagDb(db: Kysely<Database>): Kysely<FlagTables> {
  return db.withTables<FlagOnlyTables>();
}
