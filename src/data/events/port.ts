/**
 * The event log: every write is appended here, in the same transaction as the write, with a per-tenant
 * monotonic sequence. Read models are projections of the log. One implementation over the store port serves
 * both dialects (the store is the twin-adapted part).
 *
 * Contract:
 * - `append` inside a transaction assigns `seq` = previous seq of that tenant + 1 (gap-free per tenant) and a
 *   global `position` that increases with commit order within a process; the event is visible only if the
 *   transaction commits.
 * - Events are immutable; nothing updates or deletes them.
 * - A consumer (projection) reads events after its checkpoint, handles them, and advances the checkpoint in the
 *   same transaction as its writes, so each event is applied exactly once per consumer.
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
  /** Global order. */
  readonly position: number;
  /** Per-tenant gap-free sequence, from 1. */
  readonly seq: number;
  /** ISO-8601. */
  readonly occurredAt: string;
}

/** Handles a batch of events in a transaction; checkpoint moves in the same transaction. */
export type ProjectionHandler = (trx: Kysely<unknown>, event: StoredEvent) => Promise<void>;

/** A projection: a named consumer of some event names. */
export interface Projection {
  readonly name: string;
  /** Event names it handles; others advance its checkpoint untouched. */
  readonly events: readonly string[];
  readonly handle: ProjectionHandler;
}
