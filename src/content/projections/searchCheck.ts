/**
 * Checks (and optionally repairs) a tenant's search documents against the rebuilt entries: every live entry must
 * have exactly the document searchDocumentOf derives, and no other document may exist. It reads the adapters'
 * `search_docs` table directly (same columns on both dialects apart from tags: JSON text on SQLite, text[] on
 * PostgreSQL), and repairs through the search port.
 */
import { type Kysely, sql } from 'kysely';
import type { SearchDocument, SearchIndex } from '../../data/search/port.ts';
import { indexableText } from '../../data/search/text.ts';
import type { EntryRow } from '../entries/rows.ts';
import { rebuildTableOf } from '../entries/tables.ts';
import type { ContentType } from '../types/types.ts';
import type { TableDifference } from './compare.ts';
import { searchDocumentOf } from './searchProjection.ts';

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

/** Rebuilt live entries of the tenant, a page at a time in id order. */
async function* rebuiltEntries(db: Kysely<unknown>, tenantId: string): AsyncGenerator<EntryRow[]> {
  let after = '';
  for (;;) {
    const page = await sql<EntryRow>`select * from ${sql.table(rebuildTableOf('entries'))}
      where tenant_id = ${tenantId} and deleted_at is null and id > ${after} order by id limit ${PAGE}`.execute(db);
    if (page.rows.length > 0) yield page.rows;
    const last = page.rows[page.rows.length - 1];
    if (last === undefined || page.rows.length < PAGE) return;
    after = last.id;
  }
}

/**
 * Compares the tenant's search documents with the rebuilt entries through `db`; with `repair`, brings the index in
 * line through `index`. Returns the difference found (before repair), or undefined when there was none.
 */
export async function checkSearchDocuments(
  db: Kysely<unknown>,
  index: SearchIndex,
  tenantId: string,
  types: ReadonlyMap<string, ContentType>,
  repair: boolean,
): Promise<TableDifference | undefined> {
  let onlyLive = 0;
  let onlyRebuilt = 0;
  const samples: { side: 'live' | 'rebuilt'; row: unknown }[] = [];
  const note = (side: 'live' | 'rebuilt', row: unknown) => {
    if (side === 'live') onlyLive++;
    else onlyRebuilt++;
    if (samples.length < SHOWN * 2) samples.push({ side, row });
  };
  for await (const rows of rebuiltEntries(db, tenantId)) {
    const ids = rows.map((r) => r.id);
    const docs = await sql<DocRow>`select id, type, status, tags, title, body, updated_at from search_docs
      where tenant_id = ${tenantId} and id in (${sql.join(ids)})`.execute(db);
    const byId = new Map(docs.rows.map((d) => [d.id, normalise(d)]));
    const fixes: SearchDocument[] = [];
    for (const row of rows) {
      const expected = searchDocumentOf(row, types.get(row.type));
      const want = stored(expected);
      const have = byId.get(row.id);
      if (have !== undefined && JSON.stringify(have) === JSON.stringify(want)) continue;
      if (have !== undefined) note('live', have);
      note('rebuilt', want);
      fixes.push(expected);
    }
    if (repair) for (const doc of fixes) await index.upsert(doc);
  }
  const extra = await sql<DocRow>`select d.id, d.type, d.status, d.tags, d.title, d.body, d.updated_at
    from search_docs d where d.tenant_id = ${tenantId} and not exists (
      select 1 from ${sql.table(rebuildTableOf('entries'))} e
      where e.tenant_id = d.tenant_id and e.id = d.id and e.deleted_at is null)`.execute(db);
  for (const doc of extra.rows) {
    note('live', normalise(doc));
    if (repair) await index.remove(tenantId, doc.id);
  }
  if (onlyLive === 0 && onlyRebuilt === 0) return undefined;
  return { table: 'search_docs', onlyLive, onlyRebuilt, samples };
}
