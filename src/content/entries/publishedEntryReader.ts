/**
 * Reads one published copy for the delivery API (public, no principal: only published content is visible): by id,
 * else by slug. One prepared point read each.
 */
import type { Kysely } from 'kysely';
import type { PreparedRead, Store } from '../../data/store/port.ts';
import { GalleyError } from '../../experience/errors/errors.ts';
import { toPublishedEntry } from './rows.ts';
import { type ContentTables, contentDb, type PublishedEntriesTable } from './tables.ts';
import type { PublishedEntry } from './types.ts';

/** Input of getPublishedEntry. */
export interface PublishedEntryReaderProps {
  /** The store. */
  readonly store: Store;
  /** The tenant (resolved from the delivery URL). */
  readonly tenantId: string;
  /** An entry id, or a slug when no published entry has that id. */
  readonly idOrSlug: string;
  /** Narrows the slug lookup to one content type. */
  readonly type?: string;
}

type Row = PublishedEntriesTable;

function bySlug(db: Kysely<ContentTables>, withType: boolean) {
  let q = db.selectFrom('published_entries').selectAll().where('tenant_id', '=', '').where('slug', '=', '');
  if (withType) q = q.where('type', '=', '');
  return q.orderBy('type').limit(1);
}

function prepare(store: Store) {
  const db = contentDb(store.db);
  return {
    byId: store.prepare(
      db.selectFrom('published_entries').selectAll().where('tenant_id', '=', '').where('id', '=', ''),
    ),
    bySlug: store.prepare(bySlug(db, false)),
    bySlugAndType: store.prepare(bySlug(db, true)),
  } satisfies Record<string, PreparedRead<Row>>;
}

const cache = new WeakMap<Store, ReturnType<typeof prepare>>();

/** The published copy; GALLEY_NOT_FOUND when nothing published matches. */
export async function getPublishedEntry(props: PublishedEntryReaderProps): Promise<PublishedEntry> {
  let statements = cache.get(props.store);
  if (statements === undefined) {
    statements = prepare(props.store);
    cache.set(props.store, statements);
  }
  const row =
    (await statements.byId.first([props.tenantId, props.idOrSlug])) ??
    (props.type === undefined
      ? await statements.bySlug.first([props.tenantId, props.idOrSlug, 1])
      : await statements.bySlugAndType.first([props.tenantId, props.idOrSlug, props.type, 1]));
  if (row === undefined) throw new GalleyError('GALLEY_NOT_FOUND', `no published entry "${props.idOrSlug}"`);
  return toPublishedEntry(row);
}
