/**
 * Replays a tenant's entry events into the `content_rebuild_*` twins with the same handler the writes use
 * (applyEntryEvent), pointed at the twins by TableRenamePlugin. Batches commit separately so a long replay never
 * holds the write lock (SQLite) or the tenant's sequence lock (PostgreSQL) for long; only the catch-up at the end
 * runs inside the caller's locked transaction.
 */
import type { Kysely } from 'kysely';
import type { EventLog } from '../../data/events/eventLog.ts';
import { untyped } from '../../data/events/tables.ts';
import type { Store } from '../../data/store/port.ts';
import type { EntryRow } from '../entries/rows.ts';
import { READ_MODEL_TABLES, rebuildTableOf } from '../entries/tables.ts';
import { ENTRY_EVENTS } from '../entries/types.ts';
import { applyEntryEvent } from './entryProjection.ts';
import { TableRenamePlugin } from './tableRename.ts';

/** Events per replay transaction. */
const BATCH = 1000;
/** Entry rows kept in memory between events, so most events skip reading their prior row. */
const ROW_CACHE = 50_000;

/** `db` with every read-model table pointed at its rebuild twin. */
export function onRebuildTables(db: Kysely<unknown>): Kysely<unknown> {
  const map = new Map<string, string>(READ_MODEL_TABLES.map((t) => [t, rebuildTableOf(t)]));
  return db.withPlugin(new TableRenamePlugin(map));
}

/** A tenant's replay in progress. */
export interface TenantReplay {
  /** Applies every committed entry event not yet applied, in batches of their own; resolves with the count. */
  catchUp(): Promise<number>;
  /** Same, through `trx` (the caller's locked transaction), so nothing can be appended meanwhile. */
  catchUpIn(trx: Kysely<unknown>): Promise<number>;
  /** The last seq applied. */
  readonly seq: number;
}

/** Deletes a tenant's rows from every rebuild twin. */
export async function clearRebuildTables(db: Kysely<unknown>, tenantId: string): Promise<void> {
  const twins = onRebuildTables(db).withTables<Record<string, { tenant_id: string }>>();
  for (const table of READ_MODEL_TABLES) await twins.deleteFrom(table).where('tenant_id', '=', tenantId).execute();
}

/** Starts a replay of `tenantId` into cleared twins. */
export async function startReplay(store: Store, log: EventLog, tenantId: string): Promise<TenantReplay> {
  await store.db.transaction().execute((trx) => clearRebuildTables(untyped(trx), tenantId));
  const rows = new Map<string, EntryRow>();
  let seq = 0;

  async function applyBatch(trx: Kysely<unknown>): Promise<number> {
    const events = await log.readTenant(tenantId, seq, BATCH, { trx, names: ENTRY_EVENTS });
    const target = onRebuildTables(trx);
    for (const event of events) {
      const id = (event.data as { entry: string }).entry;
      const prior = event.name === 'entry.created' ? null : rows.get(id);
      const next = await applyEntryEvent(target, event, prior);
      rows.delete(id);
      rows.set(id, next);
      if (rows.size > ROW_CACHE) {
        const oldest = rows.keys().next();
        if (oldest.done !== true) rows.delete(oldest.value);
      }
    }
    const last = events[events.length - 1];
    if (last !== undefined) seq = last.seq;
    return events.length;
  }

  return {
    get seq() {
      return seq;
    },
    async catchUp() {
      let total = 0;
      for (;;) {
        const n = await store.db.transaction().execute((trx) => applyBatch(untyped(trx)));
        total += n;
        if (n < BATCH) return total;
      }
    },
    async catchUpIn(trx) {
      let total = 0;
      for (;;) {
        const n = await applyBatch(trx);
        total += n;
        if (n < BATCH) return total;
      }
    },
  };
}
