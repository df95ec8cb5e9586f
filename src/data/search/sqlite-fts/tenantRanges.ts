/**
 * Per-tenant rowid ranges of the SQLite search index. Each tenant gets a slot on first write (never reused, never
 * moved) and owns rowids slot × 2^32 … slot × 2^32 + 2^32 − 1, so "this tenant's matches" is a rowid range FTS5
 * seeks to directly. Slots stop at 2^21 − 1 so every rowid stays a safe JavaScript integer.
 */
import { type Kysely, sql } from 'kysely';
import type { Store } from '../../store/port.ts';

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

/** Looks up and assigns tenant ranges; assignments are cached because they never change. */
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

/** Tenant ranges over `search_tenants` (migration 0005). */
export function createTenantRanges(store: Store): TenantRanges {
  // Kysely's schema parameter is invariant: go through unknown to type the store over this table.
  const db = (store.db as unknown as Kysely<unknown>).withTables<{ search_tenants: SearchTenantsTable }>();
  // Only committed assignments are cached: ensure() never runs inside a caller's transaction.
  const cache = new Map<string, RowidRange>();

  async function find(tenantId: string): Promise<RowidRange | null> {
    const cached = cache.get(tenantId);
    if (cached !== undefined) return cached;
    const row = await db
      .selectFrom('search_tenants')
      .select('slot')
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    if (row === undefined) return null;
    const range = rangeOf(row.slot);
    cache.set(tenantId, range);
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
      const assigned = await find(tenantId);
      if (assigned === null) throw new Error(`search tenant slot for ${tenantId} was not assigned`);
      return assigned;
    },
  };
}
