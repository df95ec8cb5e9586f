/**
 * The search index as a projection of the entries read model: a live entry is indexed with its current (draft)
 * fields and status, a deleted one is removed. Title comes from the row (derived when written); the body joins
 * the entry's text and richtext fields under its content type.
 *
 * The index lives in the same store, so writes apply it inline, in the writing transaction: `searchIn(store, trx)`
 * opens the store's search adapter over that transaction. (It is opened per transaction, never cached: a tenant
 * rowid range the SQLite adapter assigns in a transaction that rolls back must not outlive it; committed ranges are
 * shared by every adapter over the store, see tenantRanges.ts.) The rebuild recomputes every document from the
 * rebuilt entries (projections/rebuild.ts).
 */
import type { Kysely } from 'kysely';
import { openSearchIndex } from '../../data/search/openSearch.ts';
import type { SearchDocument, SearchIndex } from '../../data/search/port.ts';
import type { Store } from '../../data/store/port.ts';
import type { Database } from '../../data/store/schema.ts';
import type { EntryRow } from '../entries/rows.ts';
import { searchBodyOf } from '../types/fieldValidation.ts';
import type { ContentType } from '../types/types.ts';
import { rowFields } from './entryProjection.ts';

/** The store's search adapter, writing through `trx`. */
export function searchIn(store: Store, trx: Kysely<Database>): SearchIndex {
  return openSearchIndex({ ...store, db: trx });
}

/** The search document of a live entry row. */
export function searchDocumentOf(row: EntryRow, type: ContentType | undefined): SearchDocument {
  return {
    tenantId: row.tenant_id,
    id: row.id,
    type: row.type,
    status: row.status,
    title: row.title ?? '',
    body: type === undefined ? '' : searchBodyOf(type, rowFields(row)),
    tags: JSON.parse(row.tags) as string[],
    updatedAt: row.updated_at,
  };
}

/** Brings the index in line with `row`: upsert when live, remove when deleted. */
export async function applySearch(index: SearchIndex, row: EntryRow, type: ContentType | undefined): Promise<void> {
  if (row.deleted_at !== null) await index.remove(row.tenant_id, row.id);
  else await index.upsert(searchDocumentOf(row, type));
}
