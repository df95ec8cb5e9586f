/**
 * The event log over the store port (one implementation, both dialects).
 *
 * Sequencing. `append` bumps the tenant's row in `tenant_event_seq` with an upsert … returning, then inserts the
 * event. The upsert takes that row's lock until the surrounding transaction ends, so on PostgreSQL a tenant's
 * appends run one after another: the next append of the tenant waits, then reads the committed counter. Hence
 * per tenant, seq is gap-free (a rolled-back append rolls its counter back too) and seq order is commit order:
 * once seq n is visible, every seq below n is visible. On SQLite all writes serialize anyway.
 *
 * Why consumers follow per-tenant seq, not global position. On PostgreSQL `position` comes from an identity
 * sequence when the row is inserted, and concurrent transactions of different tenants commit in any order: a
 * reader may see position 11 while position 10 is still uncommitted, and a checkpoint at 11 would skip 10
 * forever. A global lock would fix that by serializing every write transaction of every tenant; instead
 * consumers (projections.ts) keep one checkpoint per tenant and read with `readTenant`, which can never skip.
 * `read` by position stays for inspection, export and tests: on SQLite it is exact (position order is commit
 * order), on PostgreSQL it only sees what has committed, and a late commit may land below a position already read.
 *
 * Cost of the choice: every transaction that appends holds its tenant's counter lock until it ends, so append
 * late in a transaction; appendMany takes several tenants' locks in tenant-id order so two batches cannot
 * deadlock each other (callers that append to several tenants one by one should do the same).
 */
import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import type { Store } from '../store/port.ts';
import type { NewEvent, StoredEvent } from './port.ts';
import { type EventsTable, type EventTables, eventDb } from './tables.ts';

/** Extra options of `readTenant`. */
export interface ReadTenantOptions {
  /** Read inside this transaction. */
  readonly trx?: Kysely<unknown>;
  /** Only events with these names (an empty list reads nothing). */
  readonly names?: readonly string[];
  /** Stop at this seq (inclusive). */
  readonly throughSeq?: number;
}

/** Options of a read by global position. */
export interface ReadOptions {
  /** Only this tenant's events. */
  readonly tenantId?: string;
  /** Exclusive lower bound; default 0 (from the start). */
  readonly afterPosition?: number;
  readonly limit: number;
}

/** The append-only event log. */
export interface EventLog {
  /** Appends one event in `trx`, or in a transaction of its own when `trx` is undefined (or not a transaction). */
  append(trx: Kysely<unknown> | undefined, event: NewEvent): Promise<StoredEvent>;
  /** Appends events in order in one transaction (`trx`, or a new one); returns them as stored. */
  appendMany(trx: Kysely<unknown> | undefined, events: readonly NewEvent[]): Promise<StoredEvent[]>;
  /** Committed events in position order (see the module comment for why consumers should not use it). */
  read(options: ReadOptions): Promise<StoredEvent[]>;
  /** A tenant's committed events with seq > afterSeq, in seq order; never skips one. */
  readTenant(tenantId: string, afterSeq: number, limit: number, options?: ReadTenantOptions): Promise<StoredEvent[]>;
  /** The last committed seq of every tenant that has events. */
  heads(trx?: Kysely<unknown>): Promise<ReadonlyMap<string, number>>;
  /** The last committed seq of one tenant (0 when it has none). */
  head(tenantId: string, trx?: Kysely<unknown>): Promise<number>;
  /** The highest position visible now (0 for an empty log). */
  latestPosition(): Promise<number>;
}

const MAX_READ = 10_000;
// Seven parameters per row: 500 rows per INSERT stays well inside both dialects' parameter limits.
const INSERT_CHUNK = 500;

function assertLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_READ) {
    throw new RangeError(`event read limit must be an integer from 1 to ${MAX_READ}, got ${limit}`);
  }
}

function serialise(event: NewEvent): string {
  for (const field of ['tenantId', 'name', 'subjectId', 'actor'] as const) {
    if (typeof event[field] !== 'string' || event[field].length === 0) {
      throw new TypeError(`event ${field} must be a non-empty string`);
    }
  }
  const json = JSON.stringify(event.data ?? null);
  if (json === undefined) throw new TypeError(`event ${event.name} data is not JSON-serialisable`);
  return json;
}

function toStored(row: Selectable<EventsTable>): StoredEvent {
  return Object.freeze({
    position: row.position,
    tenantId: row.tenant_id,
    seq: row.seq,
    name: row.name,
    subjectId: row.subject_id,
    actor: row.actor,
    data: JSON.parse(row.data) as unknown,
    occurredAt: row.occurred_at,
  });
}

async function appendIn(db: Kysely<EventTables>, events: readonly NewEvent[]): Promise<StoredEvent[]> {
  const data = events.map(serialise);
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.tenantId, (counts.get(e.tenantId) ?? 0) + 1);
  const nextSeq = new Map<string, number>();
  // Sorted, so two transactions locking several tenants' counters always lock them in the same order.
  for (const tenantId of [...counts.keys()].sort()) {
    const n = counts.get(tenantId) ?? 0;
    const row = await db
      .insertInto('tenant_event_seq')
      .values({ tenant_id: tenantId, seq: n })
      .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ seq: sql<number>`tenant_event_seq.seq + ${n}` }))
      .returning('seq')
      .executeTakeFirstOrThrow();
    nextSeq.set(tenantId, row.seq - n + 1);
  }
  const occurredAt = new Date().toISOString();
  const rows = events.map((e, i) => {
    const seq = nextSeq.get(e.tenantId) ?? 1;
    nextSeq.set(e.tenantId, seq + 1);
    return {
      tenant_id: e.tenantId,
      seq,
      name: e.name,
      subject_id: e.subjectId,
      actor: e.actor,
      data: data[i] ?? 'null',
      occurred_at: occurredAt,
    };
  });
  const stored: StoredEvent[] = [];
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    const inserted = await db
      .insertInto('events')
      .values(rows.slice(i, i + INSERT_CHUNK))
      .returningAll()
      .execute();
    // RETURNING order is not promised; (tenant, seq) identifies each row.
    const byKey = new Map(inserted.map((r) => [`${r.seq}:${r.tenant_id}`, r]));
    for (const row of rows.slice(i, i + INSERT_CHUNK)) {
      const back = byKey.get(`${row.seq}:${row.tenant_id}`);
      if (back === undefined) throw new Error('inserted event missing from RETURNING');
      stored.push(toStored(back));
    }
  }
  return stored;
}

/**
 * Appends events through any Kysely handle: inside `db` when it is a transaction (the usual case — a use case
 * records its event with its write), else in a transaction of its own. Same sequencing as EventLog.appendMany.
 */
export async function appendEvents<DB>(
  db: Kysely<DB> | Transaction<DB>,
  events: readonly NewEvent[],
): Promise<StoredEvent[]> {
  if (events.length === 0) return [];
  const target = eventDb(db);
  if (db.isTransaction) return appendIn(target, events);
  return target.transaction().execute((t) => appendIn(t, events));
}

/** Appends one event through any Kysely handle (see appendEvents). */
export async function appendEvent<DB>(db: Kysely<DB> | Transaction<DB>, event: NewEvent): Promise<StoredEvent> {
  const [stored] = await appendEvents(db, [event]);
  if (stored === undefined) throw new Error('append stored nothing');
  return stored;
}

/** The event log over `store` (migration 0002 must have run). */
export function createEventLog(store: Store): EventLog {
  const db = eventDb(store.db);
  const on = (trx: Kysely<unknown> | undefined): Kysely<EventTables> => (trx === undefined ? db : eventDb(trx));

  async function appendMany(trx: Kysely<unknown> | undefined, events: readonly NewEvent[]): Promise<StoredEvent[]> {
    return trx === undefined ? appendEvents(db, events) : appendEvents(trx, events);
  }

  return {
    appendMany,

    async append(trx, event) {
      return trx === undefined ? appendEvent(db, event) : appendEvent(trx, event);
    },

    async read(options) {
      assertLimit(options.limit);
      let query = db
        .selectFrom('events')
        .selectAll()
        .where('position', '>', options.afterPosition ?? 0);
      if (options.tenantId !== undefined) query = query.where('tenant_id', '=', options.tenantId);
      const rows = await query.orderBy('position').limit(options.limit).execute();
      return rows.map(toStored);
    },

    async readTenant(tenantId, afterSeq, limit, options = {}) {
      assertLimit(limit);
      if (options.names !== undefined && options.names.length === 0) return [];
      let query = on(options.trx)
        .selectFrom('events')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('seq', '>', afterSeq);
      if (options.throughSeq !== undefined) query = query.where('seq', '<=', options.throughSeq);
      if (options.names !== undefined) query = query.where('name', 'in', [...options.names]);
      const rows = await query.orderBy('seq').limit(limit).execute();
      return rows.map(toStored);
    },

    async heads(trx) {
      const rows = await on(trx).selectFrom('tenant_event_seq').select(['tenant_id', 'seq']).execute();
      return new Map(rows.map((r) => [r.tenant_id, r.seq]));
    },

    async head(tenantId, trx) {
      const row = await on(trx)
        .selectFrom('tenant_event_seq')
        .select('seq')
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst();
      return row?.seq ?? 0;
    },

    async latestPosition() {
      const row = await db
        .selectFrom('events')
        .select((eb) => eb.fn.max('position').as('latest'))
        .executeTakeFirst();
      return Number(row?.latest ?? 0);
    },
  };
}
