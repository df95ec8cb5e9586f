/**
 * Lists published copies for the delivery API, newest published first by (publishedAt, id), optionally of one type,
 * with keyset pagination (opaque cursor). Public: only published content is listed.
 */
import type { Store } from '../../data/store/port.ts';
import { decodeCursor, encodeCursor, pageSize } from './cursor.ts';
import { toPublishedEntry } from './rows.ts';
import { contentDb } from './tables.ts';
import { MAX_PAGE_SIZE, type Page, type PublishedEntry } from './types.ts';

/** Input of listPublishedEntries. */
export interface PublishedEntryListerProps {
  /** The store. */
  readonly store: Store;
  /** The tenant (resolved from the delivery URL). */
  readonly tenantId: string;
  /** Only this content type. */
  readonly type?: string;
  /** Page size, 1–100; default 20. */
  readonly limit?: number;
  /** The `next` of the previous page. */
  readonly cursor?: string | null;
}

/** One page of published entries; GALLEY_VALIDATION_FAILED for a bad limit or cursor. */
export async function listPublishedEntries(props: PublishedEntryListerProps): Promise<Page<PublishedEntry>> {
  const limit = pageSize(props.limit, MAX_PAGE_SIZE);
  let query = contentDb(props.store.db)
    .selectFrom('published_entries')
    .selectAll()
    .where('tenant_id', '=', props.tenantId);
  if (props.type !== undefined) query = query.where('type', '=', props.type);
  if (props.cursor !== undefined && props.cursor !== null) {
    const [at, id] = decodeCursor(props.cursor, ['string', 'string'] as const);
    query = query.where((eb) => eb(eb.refTuple('published_at', 'id'), '<', eb.tuple(at, id)));
  }
  const rows = await query
    .orderBy('published_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const items = rows.slice(0, limit).map(toPublishedEntry);
  const last = items[items.length - 1];
  return { items, next: rows.length > limit && last !== undefined ? encodeCursor([last.publishedAt, last.id]) : null };
}
