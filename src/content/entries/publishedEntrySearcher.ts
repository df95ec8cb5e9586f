/**
 * Full-text search over a tenant's published content, for the delivery API (public, no principal).
 *
 * It asks the `published` search collection, which holds each published entry's published copy (projected on
 * publish, unpublish and delete; searchProjection.ts), so an entry with unpublished edits is found by its published
 * text, and neither a hit nor its snippet can reveal unpublished text. Hits keep the index's order (best first,
 * keyset cursor) and are joined to their published copies; a hit whose copy vanished meanwhile is dropped.
 */
import type { SearchIndex } from '../../data/search/port.ts';
import { SearchQueryError } from '../../data/search/port.ts';
import type { Store } from '../../data/store/port.ts';
import { GalleyError } from '../../experience/errors/errors.ts';
import { pageSize } from './cursor.ts';
import { toPublishedEntry } from './rows.ts';
import { contentDb } from './tables.ts';
import { MAX_PAGE_SIZE, type PublishedEntry } from './types.ts';

/** Input of searchPublishedEntries. */
export interface PublishedEntrySearcherProps {
  /** The store (published copies). */
  readonly store: Store;
  /** The published search collection (data plane `publishedSearch`). */
  readonly search: SearchIndex;
  /** The tenant (resolved from the delivery URL). */
  readonly tenantId: string;
  /** Web-search style query: words, "phrases", -excluded, or. */
  readonly q: string;
  /** Page size, 1–100; default 20. */
  readonly limit?: number;
  /** The `next` of the previous page. */
  readonly cursor?: string | null;
  /** Only this content type. */
  readonly type?: string;
}

/** One published entry found, with its excerpt. */
export interface PublishedSearchHit {
  readonly entry: PublishedEntry;
  /** HTML-escaped excerpt with `<mark>` around matched terms. */
  readonly snippet: string;
  /** Higher is better; comparable within one result list only. */
  readonly score: number;
}

/** A page of published hits. */
export interface PublishedSearchPage {
  readonly items: readonly PublishedSearchHit[];
  readonly next: string | null;
}

/** One page of published entries matching `q`; GALLEY_VALIDATION_FAILED for an unsearchable query or bad cursor. */
export async function searchPublishedEntries(props: PublishedEntrySearcherProps): Promise<PublishedSearchPage> {
  const limit = pageSize(props.limit, MAX_PAGE_SIZE);
  let page: Awaited<ReturnType<SearchIndex['query']>>;
  try {
    page = await props.search.query({
      tenantId: props.tenantId,
      q: props.q,
      limit,
      ...(props.cursor === undefined || props.cursor === null ? {} : { cursor: props.cursor }),
      ...(props.type === undefined ? {} : { type: props.type }),
    });
  } catch (error) {
    if (error instanceof SearchQueryError) {
      throw new GalleyError('GALLEY_VALIDATION_FAILED', error.message, {
        errors: [{ field: '/q', message: error.message, location: 'querystring' }],
      });
    }
    throw error;
  }
  if (page.items.length === 0) return { items: [], next: page.next };
  const rows = await contentDb(props.store.db)
    .selectFrom('published_entries')
    .selectAll()
    .where('tenant_id', '=', props.tenantId)
    .where(
      'id',
      'in',
      page.items.map((h) => h.id),
    )
    .execute();
  const copies = new Map(rows.map((row) => [row.id, toPublishedEntry(row)]));
  const items: PublishedSearchHit[] = [];
  for (const hit of page.items) {
    const entry = copies.get(hit.id);
    if (entry !== undefined) items.push({ entry, snippet: hit.snippet, score: hit.score });
  }
  return { items, next: page.next };
}
