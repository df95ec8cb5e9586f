/** Row types of the prompt tables (migration 0014) and the typed handle over them. */
import type { Kysely } from 'kysely';
import type { Database } from '../../data/store/schema.ts';

/** One immutable prompt version. */
export interface AiPromptVersionsTable {
  /** sha256 hex of `canonical`. */
  hash: string;
  task: string;
  /** Canonical JSON of { task, system, user, params, outputSchema }. */
  canonical: string;
  description: string;
  /** Epoch ms. */
  created_at: number;
}

/** One movable pointer: (task, label) → version hash. */
export interface AiPromptLabelsTable {
  task: string;
  label: string;
  hash: string;
  /** Epoch ms. */
  updated_at: number;
  updated_by: string;
}

/** One label move (the audit trail). */
export interface AiPromptLabelEventsTable {
  /** UUIDv7. */
  id: string;
  task: string;
  label: string;
  /** Null when the move created the label. */
  from_hash: string | null;
  to_hash: string;
  actor: string;
  reason: string;
  /** Epoch ms; strictly increasing along one label's moves. */
  at: number;
}

/** The prompt tables alone. */
export type PromptOnlyTables = {
  ai_prompt_versions: AiPromptVersionsTable;
  ai_prompt_labels: AiPromptLabelsTable;
  ai_prompt_label_events: AiPromptLabelEventsTable;
};

/** The identity schema plus the prompt tables. */
export type PromptTables = Database & PromptOnlyTables;

/** What prompt use cases need of a store: its query builder (a `Store` satisfies this). */
export interface PromptStore {
  readonly db: Kysely<Database>;
}

/** The store (or a transaction) typed over the identity and prompt tables. */
export function promptDb(db: Kysely<Database>): Kysely<PromptTables> {
  return db.withTables<PromptOnlyTables>();
}
