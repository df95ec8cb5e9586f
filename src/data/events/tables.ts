/** Row types of the event-log tables (migration 0002). */
import type { Generated, Kysely, Transaction } from 'kysely';

/** One immutable event. */
export interface EventsTable {
  position: Generated<number>;
  tenant_id: string;
  seq: number;
  name: string;
  subject_id: string;
  actor: string;
  /** JSON text. */
  data: string;
  occurred_at: string;
}

/** The last seq handed out per tenant; its row lock serializes a tenant's appends. */
export interface TenantEventSeqTable {
  tenant_id: string;
  seq: number;
}

/** Per projection and tenant: the last seq whose effects are committed. */
export interface ProjectionCheckpointsTable {
  name: string;
  tenant_id: string;
  seq: number;
  updated_at: string;
}

/** The event-log schema (a type alias: `withTables` needs an index-compatible object type). */
export type EventTables = {
  events: EventsTable;
  tenant_event_seq: TenantEventSeqTable;
  projection_checkpoints: ProjectionCheckpointsTable;
};

/**
 * Any Kysely instance or transaction, typed over the event tables only. Kysely's schema parameter is invariant,
 * so the store's `Kysely<Database>` and a caller's `Kysely<unknown>` transaction both go through `unknown`.
 */
export function eventDb<DB>(db: Kysely<DB> | Transaction<DB>): Kysely<EventTables> {
  return (db as unknown as Kysely<unknown>).withTables<EventTables>();
}

/** Erases the schema type, for handing a transaction to code that types it itself (projection handlers). */
export function untyped<DB>(db: Kysely<DB> | Transaction<DB>): Kysely<unknown> {
  return db as unknown as Kysely<unknown>;
}
