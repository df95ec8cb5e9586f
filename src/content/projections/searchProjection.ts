/**
 * The search indexes as projections of the entries read models. The `current` collection holds each live entry
 * with its current (draft) fields and status; a deleted one is removed. The `published` collection holds the
 * published copy of each published entry, exactly as `published_entries` does: written on `entry.published`,
 * removed on `entry.unpublished` and `entry.deleted`, untouched by edits in between (so the delivery API finds an
 * entry with unpublished edits by its published text, never by the draft's). Title comes from the row (derived
 * when written); the body joins the entry's text and richtext fields under its content type.
 *
 * The index lives in the same store, so writes apply it inline, in the writing transaction: `searchIn(store, trx)`
 * opens the store's search adapter over that transaction. (It is opened per transaction, never cached: a tenant
 * rowid range the SQLite adapter assigns in a transaction that rolls back must not outlive it; committed ranges are
 * shared by every adapter over the store, see tenantRanges.ts.) The rebuild recomputes every document from the
 * rebuilt entries (projections/rebuild.ts).
 */
import type { Kysely } from 'kysely';
import { openSearchIndex } from '../../data/search/openSearch.ts';
import type { SearchCollection, SearchDocument, SearchIndex } from '../../data/search/port.ts';
import type { Store } from '../../data/store/port.ts';
import type { Database } from '../../data/store/schema.ts';
import type { EntryRow } from '../entries/rows.ts';
import type { EntryFields } from '../entries/types.ts';
import { searchBodyOf } from '../types/fieldValidation.ts';
import type { ContentType } from '../types/types.ts';
import { rowFields } from './entryProjection.ts';

/** The store's search adapter of `collection` (default `current`), writing through `trx`. */
export function searchIn(store: Store, trx: Kysely<Database>, collection: SearchCollection = 'current'): SearchIndex {
  return openSearchIndex({ ...store, db: trx }, collection);
}

/** What a published document is made of: the columns a published copy and an entry row share. */
export interface PublishedSource {
  readonly tenant_id: string;
  readonly id: string;
  readonly type: string;
  readonly title: string | null;
  readonly tags: string;
  readonly fields: string;
  readonly published_at: string | null;
}

/** The published-collection document of a published copy (or of the entry row at the moment it is published). */
export function publishedDocumentOf(copy: PublishedSource, type: ContentType | undefined): SearchDocument {
  return {
    tenantId: copy.tenant_id,
    id: copy.id,
    type: copy.type,
    status: 'published',
    title: copy.title ?? '',
    body: type === undefined ? '' : searchBodyOf(type, JSON.parse(copy.fields) as EntryFields),
    tags: JSON.parse(copy.tags) as string[],
    updatedAt: copy.published_at ?? '',
  };
}

/**
 * Brings the published collection in line after event `name` produced `row` (the same events as published_entries).
 * `index` is only opened when the event touches the collection, so edits cost nothing here.
 */
export async function applyPublishedSearch(
  index: () => SearchIndex,
  name: string,
  row: EntryRow,
  type: ContentType | undefined,
): Promise<void> {
  if (name === 'entry.published' && row.published_at !== null) await index().upsert(publishedDocumentOf(row, type));
  else if (name === 'entry.unpublished' || name === 'entry.deleted') await index().remove(row.tenant_id, row.id);
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
