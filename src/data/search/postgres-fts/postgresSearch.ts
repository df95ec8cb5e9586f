/**
 * Distributed search adapter: PostgreSQL full-text search over `search_docs` (migration 0005). Queries go
 * through `websearch_to_tsquery('simple', q)` (after the shared parser has vetted them, so both adapters refuse
 * the same strings), are ranked with `ts_rank_cd` (title weight A = 1.0, body weight B = 0.1, the same 10:1 as
 * the SQLite adapter), and excerpted with `ts_headline`, evaluated only for the rows of the page.
 *
 * Ranking is exact over every match (no rank windows as on SQLite); the cursor is `{ score, id }` with the
 * score carried as float8 so equality comparisons round-trip exactly.
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Store } from '../../store/port.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import type { SearchDocument, SearchHit, SearchIndex, SearchPage } from '../port.ts';
import { parseSearchQuery } from '../queryParser.ts';
import { assertSearchLimit, excerptToHtml, hasMatchMarker, indexableText, MARK_END, MARK_START } from '../text.ts';

/** Row shape of the PostgreSQL `search_docs` table (the generated `tsv` column is never written). */
interface PostgresSearchDocsTable {
  tenant_id: string;
  id: string;
  type: string;
  status: string;
  tags: string[];
  title: string;
  body: string;
  updated_at: string;
}

type PostgresSearchTables = {
  search_docs: PostgresSearchDocsTable;
};

// {D, C, B, A}: only B (body) and A (title) are used.
const RANK_WEIGHTS = '{0.1, 0.1, 0.1, 1.0}';
const BODY_HEADLINE = `StartSel=${MARK_START}, StopSel=${MARK_END}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`;
const TITLE_HEADLINE = `StartSel=${MARK_START}, StopSel=${MARK_END}, HighlightAll=true`;
// Rows per INSERT in upsertMany: 8 parameters each stays far below PostgreSQL's 65535-parameter limit.
const UPSERT_CHUNK = 500;

interface PageRow {
  id: string;
  type: string;
  status: string;
  title: string;
  updated_at: string;
  score: number;
  body_excerpt: string;
  title_excerpt: string;
}

function toRow(doc: SearchDocument): PostgresSearchDocsTable {
  return {
    tenant_id: doc.tenantId,
    id: doc.id,
    type: doc.type,
    status: doc.status,
    tags: doc.tags.map(indexableText),
    title: indexableText(doc.title),
    body: indexableText(doc.body),
    updated_at: doc.updatedAt,
  };
}

async function upsertRows(db: Kysely<PostgresSearchTables>, rows: readonly PostgresSearchDocsTable[]): Promise<void> {
  await db
    .insertInto('search_docs')
    .values([...rows])
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'id']).doUpdateSet((eb) => ({
        type: eb.ref('excluded.type'),
        status: eb.ref('excluded.status'),
        tags: eb.ref('excluded.tags'),
        title: eb.ref('excluded.title'),
        body: eb.ref('excluded.body'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
}

/** Opens the tsvector search index on a PostgreSQL store (migration 0005 must have run). */
export function createPostgresSearch(store: Store): SearchIndex {
  if (store.dialect !== 'postgres') throw new Error('createPostgresSearch needs a postgres store');
  // Kysely's schema parameter is invariant: go through unknown to type the store over this adapter's tables.
  const db = (store.db as unknown as Kysely<unknown>).withTables<PostgresSearchTables>();

  return {
    async upsert(doc) {
      await upsertRows(db, [toRow(doc)]);
    },

    async upsertMany(docs) {
      if (docs.length === 0) return;
      // One statement may not update the same row twice: the last version of each document wins.
      const latest = new Map<string, PostgresSearchDocsTable>();
      for (const doc of docs) latest.set(JSON.stringify([doc.tenantId, doc.id]), toRow(doc));
      const rows = [...latest.values()];
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < rows.length; i += UPSERT_CHUNK) await upsertRows(trx, rows.slice(i, i + UPSERT_CHUNK));
      });
    },

    async remove(tenantId, id) {
      await db.deleteFrom('search_docs').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
    },

    async clearTenant(tenantId) {
      await db.deleteFrom('search_docs').where('tenant_id', '=', tenantId).execute();
    },

    async query(query): Promise<SearchPage> {
      assertSearchLimit(query.limit);
      parseSearchQuery(query.q);
      const cursor = query.cursor ? decodeCursor(query.cursor) : null;
      const filters: RawBuilder<unknown>[] = [sql`d.tenant_id = ${query.tenantId}`, sql`d.tsv @@ q.q`];
      if (query.type !== undefined) filters.push(sql`d.type = ${query.type}`);
      if (query.status !== undefined) filters.push(sql`d.status = ${query.status}`);
      if (query.tag !== undefined) filters.push(sql`d.tags @> array[${query.tag}]::text[]`);
      const keyset =
        cursor === null
          ? sql`true`
          : sql`(h.score < ${cursor.score}::float8 or (h.score = ${cursor.score}::float8 and h.id collate "C" > ${cursor.id}))`;
      // Only (id, score) travel through the sort; bodies are read, and excerpted, for the page's rows alone.
      const result = await sql<PageRow>`
        with q as (select websearch_to_tsquery('simple', ${indexableText(query.q)}) as q),
        page as materialized (
          select h.id, h.score from (
            select d.id, ts_rank_cd(${RANK_WEIGHTS}::float4[], d.tsv, q.q)::float8 as score
            from search_docs d, q
            where ${sql.join(filters, sql` and `)}
          ) h
          where ${keyset}
          order by h.score desc, h.id collate "C" limit ${query.limit + 1}
        )
        select d.id, d.type, d.status, d.title, d.updated_at, page.score,
          ts_headline('simple', d.body, q.q, ${BODY_HEADLINE}) as body_excerpt,
          ts_headline('simple', d.title, q.q, ${TITLE_HEADLINE}) as title_excerpt
        from page
        join search_docs d on d.tenant_id = ${query.tenantId} and d.id = page.id
        cross join q
        order by page.score desc, page.id collate "C"`.execute(db);
      const hits: SearchHit[] = result.rows.map((row) => ({
        id: row.id,
        type: row.type,
        status: row.status,
        title: row.title,
        snippet: excerptToHtml(hasMatchMarker(row.body_excerpt) ? row.body_excerpt : row.title_excerpt),
        score: row.score,
        updatedAt: row.updated_at,
      }));
      const items = hits.slice(0, query.limit);
      const last = items[items.length - 1];
      const next =
        hits.length > query.limit && last !== undefined ? encodeCursor({ score: last.score, id: last.id }) : null;
      return { items, next };
    },
  };
}
