/**
 * Checks (and optionally repairs) a tenant's search documents against the rebuilt read models, per collection:
 * in `current`, every live entry must have exactly the document searchDocumentOf derives; in `published`, every
 * published copy the one publishedDocumentOf derives; and no other document may exist. It reads the adapters'
 * tables directly (`search_docs`, `search_published`: same columns on both dialects apart from tags, JSON text on
 * SQLite and text[] on PostgreSQL), and repairs through the search port.
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { SearchCollection, SearchDocument, SearchIndex } from '../../data/search/port.ts';
import { indexableText } from '../../data/search/text.ts';
import type { EntryRow } from '../entries/rows.ts';
import { type PublishedEntriesTable, rebuildTableOf } from '../entries/tables.ts';
import type { ContentType } from '../types/types.ts';
import type { TableDifference } from './compare.ts';
import { publishedDocumentOf, searchDocumentOf } from './searchProjection.ts';

const PAGE = 500;
const SHOWN = 5;

interface DocRow {
  id: string;
  type: string;
  status: string;
  tags: string | string[];
  title: string;
  body: string;
  updated_at: string;
}

function stored(doc: SearchDocument) {
  return {
    id: doc.id,
    type: doc.type,
    status: doc.status,
    tags: doc.tags.map(indexableText),
    title: indexableText(doc.title),
    body: indexableText(doc.body),
    updated_at: doc.updatedAt,
  };
}

function normalise(row: DocRow) {
  return { ...row, tags: Array.isArray(row.tags) ? row.tags : (JSON.parse(row.tags) as string[]) };
}

/** Where a collection's documents come from in the rebuilt read models, and how each is derived. */
interface CollectionSource {
  /** The adapters' documents table. */
  readonly table: 'search_docs' | 'search_published';
  /** The rebuilt rows the documents derive from (alias `e`): live entries, or published copies. */
  readonly rows: RawBuilder<unknown>;
  readonly documentOf: (row: never, type: ContentType | undefined) => SearchDocument;
}

const SOURCES: Readonly<Record<SearchCollection, CollectionSource>> = {
  current: {
    table: 'search_docs',
    rows: sql`(select * from ${sql.table(rebuildTableOf('entries'))} where deleted_at is null)`,
    documentOf: (row: EntryRow, type) => searchDocumentOf(row, type),
  },
  published: {
    table: 'search_published',
    rows: sql`(select * from ${sql.table(rebuildTableOf('published_entries'))})`,
    documentOf: (row: PublishedEntriesTable, type) => publishedDocumentOf(row, type),
  },
};

/** The tenant's source rows, a page at a time in id order. */
async function* sourceRows(
  db: Kysely<unknown>,
  source: CollectionSource,
  tenantId: string,
): AsyncGenerator<(EntryRow | PublishedEntriesTable)[]> {
  let after = '';
  for (;;) {
    const page = await sql<EntryRow | PublishedEntriesTable>`select * from ${source.rows} e
      where e.tenant_id = ${tenantId} and e.id > ${after} order by e.id limit ${PAGE}`.execute(db);
    if (page.rows.length > 0) yield page.rows;
    const last = page.rows[page.rows.length - 1];
    if (last === undefined || page.rows.length < PAGE) return;
    after = last.id;
  }
}

/** The documents of `collection` a tenant's rebuilt read models derive, a page at a time (for the reload). */
export async function* expectedDocuments(
  db: Kysely<unknown>,
  collection: SearchCollection,
  tenantId: string,
  types: ReadonlyMap<string, ContentType>,
): AsyncGenerator<SearchDocument[]> {
  const source = SOURCES[collection];
  for await (const rows of sourceRows(db, source, tenantId)) {
    yield rows.map((row) => source.documentOf(row as never, types.get(row.type)));
  }
}

/**
 * Compares the tenant's documents of `collection` with the rebuilt read models through `db`; with `repair`, brings
 * the index in line through `index`. Returns the difference found (before repair), or undefined when there was none.
 */
export async function checkSearchDocuments(
  db: Kysely<unknown>,
  index: SearchIndex,
  tenantId: string,
  types: ReadonlyMap<string, ContentType>,
  repair: boolean,
  collection: SearchCollection = 'current',
): Promise<TableDifference | undefined> {
  const source = SOURCES[collection];
  const table = sql.table(source.table);
  let onlyLive = 0;
  let onlyRebuilt = 0;
  const samples: { side: 'live' | 'rebuilt'; row: unknown }[] = [];
  const note = (side: 'live' | 'rebuilt', row: unknown) => {
    if (side === 'live') onlyLive++;
    else onlyRebuilt++;
    if (samples.length < SHOWN * 2) samples.push({ side, row });
  };
  for await (const expected of expectedDocuments(db, collection, tenantId, types)) {
    const ids = expected.map((d) => d.id);
    const docs = await sql<DocRow>`select id, type, status, tags, title, body, updated_at from ${table}
      where tenant_id = ${tenantId} and id in (${sql.join(ids)})`.execute(db);
    const byId = new Map(docs.rows.map((d) => [d.id, normalise(d)]));
    const fixes: SearchDocument[] = [];
    for (const doc of expected) {
      const want = stored(doc);
      const have = byId.get(doc.id);
      if (have !== undefined && JSON.stringify(have) === JSON.stringify(want)) continue;
      if (have !== undefined) note('live', have);
      note('rebuilt', want);
      fixes.push(doc);
    }
    if (repair) for (const doc of fixes) await index.upsert(doc);
  }
  const extra = await sql<DocRow>`select d.id, d.type, d.status, d.tags, d.title, d.body, d.updated_at
    from ${table} d where d.tenant_id = ${tenantId} and not exists (
      select 1 from ${source.rows} e where e.tenant_id = d.tenant_id and e.id = d.id)`.execute(db);
  for (const doc of extra.rows) {
    note('live', normalise(doc));
    if (repair) await index.remove(tenantId, doc.id);
  }
  if (onlyLive === 0 && onlyRebuilt === 0) return undefined;
  return { table: source.table, onlyLive, onlyRebuilt, samples };
}
