/**
 * Rebuilds the content read models (entries, published_entries, entry_revisions, entry_tags, tenant_content_stats)
 * and the search documents from the event log, per tenant:
 *
 * 1. replay the tenant's entry events into the `content_rebuild_*` twins, in batches (replay.ts);
 * 2. (rebuild only) reload both search collections (drafts, published copies) from the replayed read models with
 *    clearTenant + upsertMany;
 * 3. in one transaction that stops the tenant's writes (SQLite: the write lock; PostgreSQL: the tenant's event
 *    sequence row, which every write takes), replay what was appended meanwhile, then compare live with rebuilt
 *    (verify) or copy rebuilt over live and repair the search documents (rebuild);
 * 4. clear the twins.
 *
 * Verify changes nothing and reports every difference. Run one rebuild per tenant at a time (the twins are shared).
 */
import { type Kysely, sql } from 'kysely';
import { createEventLog, type EventLog } from '../../data/events/eventLog.ts';
import { untyped } from '../../data/events/tables.ts';
import { openSearchIndex } from '../../data/search/openSearch.ts';
import type { SearchCollection } from '../../data/search/port.ts';
import type { Store } from '../../data/store/port.ts';
import { contentDb } from '../entries/tables.ts';
import { listContentTypeRows } from '../types/contentTypeStore.ts';
import type { ContentType } from '../types/types.ts';
import { compareReadModels, copyRebuiltOverLive, type TableDifference } from './compare.ts';
import { clearRebuildTables, startReplay } from './replay.ts';
import { checkSearchDocuments, expectedDocuments } from './searchCheck.ts';
import { searchIn } from './searchProjection.ts';

/** Options of rebuildContentProjections. */
export interface RebuildOptions {
  readonly store: Store;
  /** Only this tenant (id); every tenant with events or entries when absent. */
  readonly tenantId?: string;
  /** Compare only: change nothing, report differences. */
  readonly verify: boolean;
  /** Progress lines (one per tenant). */
  readonly onTenant?: (result: TenantRebuild) => void;
}

/** The outcome for one tenant. */
export interface TenantRebuild {
  readonly tenantId: string;
  /** Entry events replayed. */
  readonly events: number;
  /** Differences between live and rebuilt state (found; in rebuild mode, also corrected). */
  readonly differences: readonly TableDifference[];
  readonly ms: number;
}

/** The outcome of a run. */
export interface RebuildReport {
  readonly tenants: readonly TenantRebuild[];
  /** Differing rows over all tenants and tables (both sides counted). */
  readonly differingRows: number;
}

/** Both search collections, reloaded and checked alike. */
const SEARCH_COLLECTIONS: readonly SearchCollection[] = ['current', 'published'];

/**
 * Blocks the tenant's entry writes until `trx` ends (SQLite transactions are exclusive already). Verify needs only
 * the event sequence row: a write that already holds its entry row waits there, uncommitted, and is invisible to
 * the comparison. A rebuild also rewrites live rows, so it takes the locks in the writers' own order (entry rows,
 * statistics rows, then the sequence row; see entries/commit.ts) and cannot deadlock with a write in flight.
 */
async function lockTenantWrites(store: Store, trx: Kysely<unknown>, tenantId: string, verify: boolean): Promise<void> {
  if (store.dialect !== 'postgres') return;
  if (!verify) {
    await sql`select id from entries where tenant_id = ${tenantId} order by id for update`.execute(trx);
    // Byte order, the order in which writers (sorting keys in JavaScript) lock these rows.
    await sql`select key from tenant_content_stats where tenant_id = ${tenantId}
      order by dimension collate "C", key collate "C" for update`.execute(trx);
  }
  await sql`select seq from tenant_event_seq where tenant_id = ${tenantId} for update`.execute(trx);
}

/** Step 2: reloads the tenant's search documents of both collections from the replayed read models. */
async function reloadSearch(store: Store, tenantId: string, types: ReadonlyMap<string, ContentType>): Promise<void> {
  for (const collection of SEARCH_COLLECTIONS) {
    const index = openSearchIndex(store, collection);
    await index.clearTenant(tenantId);
    for await (const docs of expectedDocuments(untyped(store.db), collection, tenantId, types)) {
      await index.upsertMany(docs);
    }
  }
}

async function rebuildTenant(store: Store, log: EventLog, tenantId: string, verify: boolean): Promise<TenantRebuild> {
  const started = performance.now();
  const types = new Map((await listContentTypeRows(store.db, tenantId)).map((t) => [t.name, t]));
  const replay = await startReplay(store, log, tenantId);
  let events = await replay.catchUp();
  if (!verify) await reloadSearch(store, tenantId, types);
  const differences = await store.db.transaction().execute(async (t) => {
    const trx = untyped(t);
    await lockTenantWrites(store, trx, tenantId, verify);
    events += await replay.catchUpIn(trx);
    const found = await compareReadModels(trx, tenantId);
    if (!verify && found.length > 0) await copyRebuiltOverLive(trx, tenantId);
    for (const collection of SEARCH_COLLECTIONS) {
      const index = searchIn(store, t, collection);
      const search = await checkSearchDocuments(trx, index, tenantId, types, !verify, collection);
      if (search !== undefined) found.push(search);
    }
    return found;
  });
  await store.db.transaction().execute((trx) => clearRebuildTables(untyped(trx), tenantId));
  return { tenantId, events, differences, ms: Math.round(performance.now() - started) };
}

/** Every tenant that has events or entry rows. */
async function allTenants(store: Store, log: EventLog): Promise<string[]> {
  const ids = new Set((await log.heads()).keys());
  const rows = await contentDb(store.db).selectFrom('entries').select('tenant_id').distinct().execute();
  for (const r of rows) ids.add(r.tenant_id);
  return [...ids].sort();
}

/** Rebuilds (or, with `verify`, checks) the content read models of one tenant or all of them. */
export async function rebuildContentProjections(options: RebuildOptions): Promise<RebuildReport> {
  const log = createEventLog(options.store);
  const tenants = options.tenantId === undefined ? await allTenants(options.store, log) : [options.tenantId];
  const results: TenantRebuild[] = [];
  for (const tenantId of tenants) {
    const result = await rebuildTenant(options.store, log, tenantId, options.verify);
    options.onTenant?.(result);
    results.push(result);
  }
  const differingRows = results.flatMap((r) => r.differences).reduce((sum, d) => sum + d.onlyLive + d.onlyRebuilt, 0);
  return { tenants: results, differingRows };
}
