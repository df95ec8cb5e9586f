/**
 * Per-tenant rowid ranges of the SQLite search index. Each tenant gets a slot on first write (never reused, never
 * moved) and owns rowids slot × 2^32 … slot × 2^32 + 2^32 − 1, so "this tenant's matches" is a rowid range FTS5
 * seeks to directly. Slots stop at 2^21 − 1 so every rowid stays a safe JavaScript integer.
 */
import { type Kysely, sql } from 'kysely';
import type { PreparedRead, Store } from '../../store/port.ts';

/** Row shape of `search_tenants`. */
export interface SearchTenantsTable {
  tenant_id: string;
  slot: number;
}

/** Inclusive rowid bounds of one tenant. */
export interface RowidRange {
  readonly lo: number;
  readonly hi: number;
}

const RANGE_SIZE = 2 ** 32;
const MAX_SLOT = 2 ** 21 - 1;

/**
 * Looks up and assigns tenant ranges. Assignments never change once committed, so committed ones are cached per
 * store (shared by every adapter over it); one seen only inside a transaction is cached by that adapter alone.
 */
export interface TenantRanges {
  /** The tenant's range, or null when it has never been indexed. */
  find(tenantId: string): Promise<RowidRange | null>;
  /** The tenant's range, assigning a slot (in its own statement, committed at once) when it has none. */
  ensure(tenantId: string): Promise<RowidRange>;
}

function rangeOf(slot: number): RowidRange {
  if (!Number.isSafeInteger(slot) || slot < 1 || slot > MAX_SLOT)
    throw new Error(`search tenant slot ${slot} out of range`);
  return { lo: slot * RANGE_SIZE, hi: slot * RANGE_SIZE + RANGE_SIZE - 1 };
}

/**
 * Committed assignments per store, shared by every adapter opened over it (the write path opens one per
 * transaction). Keyed by the store's `prepare` function: every view of one store, `{ ...store, db: trx }`
 * included, shares it.
 */
const committedByStore = new WeakMap<Store['prepare'], Map<string, RowidRange>>();

/** Tenant ranges over `search_tenants` (migration 0005). */
export function createTenantRanges(store: Store): TenantRanges {
  // Kysely's schema parameter is invariant: go through unknown to type the store over this table.
  const db = (store.db as unknown as Kysely<unknown>).withTables<{ search_tenants: SearchTenantsTable }>();
  const slotQuery = (tenantId: string) =>
    db.selectFrom('search_tenants').select('slot').where('tenant_id', '=', tenantId);
  let committed = committedByStore.get(store.prepare);
  if (committed === undefined) {
    committed = new Map();
    committedByStore.set(store.prepare, committed);
  }
  const shared = committed;
  // What this adapter saw through its own handle: inside a transaction that may include an assignment not yet
  // committed, so it never goes into the shared cache (a rollback must not leave a slot behind).
  const local = new Map<string, RowidRange>();
  // The committed lookup, prepared on first use: a prepared read runs outside any transaction.
  let committedSlot: PreparedRead<{ slot: number }> | undefined;

  async function find(tenantId: string): Promise<RowidRange | null> {
    const cached = local.get(tenantId) ?? shared.get(tenantId);
    if (cached !== undefined) return cached;
    committedSlot ??= store.prepare(slotQuery(''));
    const known = await committedSlot.first([tenantId]);
    if (known !== undefined) {
      const range = rangeOf(known.slot);
      shared.set(tenantId, range);
      return range;
    }
    if (!db.isTransaction) return null;
    // Not committed yet: this transaction may have assigned it.
    const row = await slotQuery(tenantId).executeTakeFirst();
    if (row === undefined) return null;
    const range = rangeOf(row.slot);
    local.set(tenantId, range);
    return range;
  }

  return {
    find,
    async ensure(tenantId) {
      const known = await find(tenantId);
      if (known !== null) return known;
      // One statement, so concurrent writers (other processes included) serialize on SQLite's write lock.
      await db
        .insertInto('search_tenants')
        .values({ tenant_id: tenantId, slot: sql<number>`(select coalesce(max(slot), 0) + 1 from search_tenants)` })
        .onConflict((oc) => oc.column('tenant_id').doNothing())
        .execute();
      // Read back through the same handle: inside a transaction the assignment is not committed yet.
      const row = await slotQuery(tenantId).executeTakeFirst();
      if (row === undefined) throw new Error(`search tenant slot for ${tenantId} was not assigned`);
      const assigned = rangeOf(row.slot);
      (db.isTransaction ? local : shared).set(tenantId, assigned);
      return assigned;
    },
  };
}
