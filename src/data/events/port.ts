/**
 * The event log: every write is appended here, in the same transaction as the write, with a per-tenant
 * monotonic sequence. Read models are projections of the log. One implementation over the store port serves
 * both dialects (the store is the twin-adapted part).
 *
 * Contract:
 * - `append` inside a transaction assigns `seq` = previous seq of that tenant + 1 (gap-free per tenant, also
 *   across rollbacks) and a global `position`; the event is visible only if the transaction commits.
 * - Per tenant, seq order is commit order: once seq n is visible, so is every lower seq of that tenant.
 *   Global `position` is allocation order; on SQLite it is also commit order, but on PostgreSQL transactions of
 *   different tenants commit in any order, so a lower position can become visible after a higher one.
 * - Events are immutable; nothing updates or deletes them.
 * - A consumer (projection) keeps a checkpoint per tenant (the last seq applied), reads that tenant's events
 *   after it, handles them, and advances the checkpoint in the same transaction as its writes, so each event is
 *   applied exactly once per consumer and none is skipped by a late commit.
 */
import type { Kysely } from 'kysely';

/** An event to append. */
export interface NewEvent {
  readonly tenantId: string;
  /** Dotted name: `entry.created`, `entry.published` … */
  readonly name: string;
  /** The aggregate it concerns (entry id, user id …). */
  readonly subjectId: string;
  /** Who did it: `user:<id>`, `service:<id>`, `system`. */
  readonly actor: string;
  /** JSON-serialisable details. */
  readonly data: unknown;
}

/** A stored event. */
export interface StoredEvent extends NewEvent {
  /** Global order of allocation (not of commit on PostgreSQL; see the contract above). */
  readonly position: number;
  /** Per-tenant gap-free sequence, from 1. */
  readonly seq: number;
  /** ISO-8601. */
  readonly occurredAt: string;
}

/** Handles one event inside the batch's transaction (`trx`); the checkpoint moves in the same transaction. */
export type ProjectionHandler = (trx: Kysely<unknown>, event: StoredEvent) => Promise<void>;

/** A projection: a named consumer of some event names. */
export interface Projection {
  readonly name: string;
  /** Event names it handles; others advance its checkpoint untouched. */
  readonly events: readonly string[];
  readonly handle: ProjectionHandler;
}
