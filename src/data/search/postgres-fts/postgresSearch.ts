/**
 * Distributed search adapter: PostgreSQL full-text search over `search_docs` (migration 0005), or its twin
 * `search_published` (migration 0020) for the published collection. Queries go
 * through `websearch_to_tsquery('simple', q)` (after the shared parser has vetted them, so both adapters refuse
 * the same strings), are ranked with `ts_rank_cd` (title weight A = 1.0, body weight B = 0.1, the same 10:1 as
 * the SQLite adapter), and excerpted with `ts_headline`, evaluated only for the rows of the page.
 *
 * Rank windows, as on SQLite. PostgreSQL has no top-k for `ts_rank_cd`: ordering by rank reads (and detoasts)
 * every match's tsvector, 440–650 ms for a word found in all of a tenant's 100k documents. Matches are therefore
 * ranked in windows of the `rankWindow` newest matches in (updated_at, id) order: a common word walks
 * `search_docs_newest_idx` (migration 0018) backwards and stops after one window; a rare one comes from the GIN
 * index and is sorted by recency; windowMembers.ts chooses between the two by the word's measured frequency. A
 * query matching at most `rankWindow` documents is ordered by exact rank; a broader one by rank within recency
 * tiers. The cursor carries `{ score, id }` (score as float8, so equality round-trips exactly) and the window's
 * newest member (`wu`, `wi`), so pages visit every hit exactly once while the index is unchanged. (An update
 * moves a document to the newest window, since recency is its `updated_at`.)
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Store } from '../../store/port.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import {
  type SearchCollection,
  type SearchDocument,
  type SearchHit,
  type SearchIndex,
  type SearchPage,
  type SearchQuery,
  SearchQueryError,
} from '../port.ts';
import { parseSearchQuery } from '../queryParser.ts';
import { assertSearchLimit, excerptToHtml, hasMatchMarker, indexableText, MARK_END, MARK_START } from '../text.ts';
import { createTenantSizes, findWindowMembers, type RecencyKey } from './windowMembers.ts';

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
  search_published: PostgresSearchDocsTable;
};
type DocsTable = keyof PostgresSearchTables;

// {D, C, B, A}: only B (body) and A (title) are used.
const RANK_WEIGHTS = '{0.1, 0.1, 0.1, 1.0}';
const BODY_HEADLINE = `StartSel=${MARK_START}, StopSel=${MARK_END}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`;
const TITLE_HEADLINE = `StartSel=${MARK_START}, StopSel=${MARK_END}, HighlightAll=true`;
// Rows per INSERT in upsertMany: 8 parameters each stays far below PostgreSQL's 65535-parameter limit.
const UPSERT_CHUNK = 500;

/** The documents table of each collection (migrations 0005 and 0020). */
const TABLES: Readonly<Record<SearchCollection, 'search_docs' | 'search_published'>> = {
  current: 'search_docs',
  published: 'search_published',
};

/** Options of the distributed search adapter. */
export interface PostgresSearchOptions {
  /** Which copy of the entries the index holds (default `current`). */
  readonly collection?: SearchCollection;
  /** Matches ranked together per window (see the module comment). Default 250 (see DEFAULT_RANK_WINDOW). */
  readonly rankWindow?: number;
}

// Smaller than SQLite's 1000: every window member costs a tsvector detoast for the match test and another for
// ts_rank_cd (~5 µs together, against ~0.2 µs for FTS5's bm25), so 1000 made a common word ~10 ms of CPU.
const DEFAULT_RANK_WINDOW = 250;

interface WindowRow {
  n: number;
  first_u: string | null;
  first_i: string | null;
  last_u: string | null;
  last_i: string | null;
  id: string | null;
  score: number | null;
  type: string | null;
  status: string | null;
  title: string | null;
  updated_at: string | null;
  body_excerpt: string | null;
  title_excerpt: string | null;
}

interface RankedHit {
  readonly hit: SearchHit;
  readonly window: RecencyKey;
}

function toHit(row: WindowRow, window: RecencyKey): RankedHit | null {
  if (row.id === null || row.score === null) return null;
  const body = row.body_excerpt ?? '';
  const hit: SearchHit = {
    id: row.id,
    type: row.type ?? '',
    status: row.status ?? '',
    title: row.title ?? '',
    snippet: excerptToHtml(hasMatchMarker(body) ? body : (row.title_excerpt ?? body)),
    score: row.score,
    updatedAt: row.updated_at ?? '',
  };
  return { hit, window };
}

function filtersOf(query: SearchQuery, tsquery: RawBuilder<unknown>): RawBuilder<unknown>[] {
  const filters: RawBuilder<unknown>[] = [sql`d.tenant_id = ${query.tenantId}`, sql`d.tsv @@ ${tsquery}`];
  if (query.type !== undefined) filters.push(sql`d.type = ${query.type}`);
  if (query.status !== undefined) filters.push(sql`d.status = ${query.status}`);
  if (query.tag !== undefined) filters.push(sql`d.tags @> array[${query.tag}]::text[]`);
  return filters;
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

async function upsertRows(
  db: Kysely<PostgresSearchTables>,
  table: DocsTable,
  rows: readonly PostgresSearchDocsTable[],
): Promise<void> {
  await db
    .insertInto(table)
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

/** Opens the tsvector search index of a collection on a PostgreSQL store (migrations 0005–0020 must have run). */
export function createPostgresSearch(store: Store, options: PostgresSearchOptions = {}): SearchIndex {
  if (store.dialect !== 'postgres') throw new Error('createPostgresSearch needs a postgres store');
  const rankWindow = options.rankWindow ?? DEFAULT_RANK_WINDOW;
  if (!Number.isSafeInteger(rankWindow) || rankWindow < 1)
    throw new RangeError('rankWindow must be a positive integer');
  const table = TABLES[options.collection ?? 'current'];
  // Kysely's schema parameter is invariant: go through unknown to type the store over this adapter's tables.
  const db = (store.db as unknown as Kysely<unknown>).withTables<PostgresSearchTables>();
  const tenantSize = createTenantSizes(store.db as unknown as Kysely<unknown>, table);

  /**
   * One rank window: the `rankWindow` newest matches from `start` (the newest member, or strictly older than it
   * when not `inclusive`), its size and edges, plus up to `need` of its hits after the keyset position.
   */
  async function readWindow(
    query: SearchQuery,
    start: RecencyKey | null,
    inclusive: boolean,
    after: { score: number; id: string } | null,
    need: number,
  ): Promise<WindowRow[]> {
    const tsquery = sql`websearch_to_tsquery('simple', ${indexableText(query.q)})`;
    const ids = await findWindowMembers(
      db as unknown as Kysely<unknown>,
      { table, tenantId: query.tenantId, conditions: filtersOf(query, tsquery), start, inclusive, window: rankWindow },
      tenantSize,
    );
    const keyset =
      after === null
        ? sql`true`
        : sql`(c.score < ${after.score}::float8 or (c.score = ${after.score}::float8 and c.id collate "C" > ${after.id}))`;
    // The window is chosen before anything is ranked (windowMembers.ts), so ts_rank_cd runs once per member;
    // bodies are read, and excerpted, for the page's rows alone.
    const result = await sql<WindowRow>`
      with win as materialized (
        select d.id, d.updated_at, d.tsv from ${sql.table(table)} d
        where d.tenant_id = ${query.tenantId} and d.id = any(${ids}::text[])
      ),
      cand as materialized (
        select w.id, w.updated_at, ts_rank_cd(${RANK_WEIGHTS}::float4[], w.tsv, ${tsquery})::float8 as score from win w
      ),
      stats as (
        select (select count(*) from cand)::int as n, f.updated_at as first_u, f.id as first_i,
          l.updated_at as last_u, l.id as last_i
        from (select 1) one
        left join (select updated_at, id from cand order by updated_at desc, id desc limit 1) f on true
        left join (select updated_at, id from cand order by updated_at, id limit 1) l on true
      ),
      page as materialized (
        select c.id, c.score from cand c where ${keyset} order by c.score desc, c.id collate "C" limit ${need}
      )
      select stats.n, stats.first_u, stats.first_i, stats.last_u, stats.last_i, page.id, page.score,
        d.type, d.status, d.title, d.updated_at,
        ts_headline('simple', d.body, ${tsquery}, ${BODY_HEADLINE}) as body_excerpt,
        ts_headline('simple', d.title, ${tsquery}, ${TITLE_HEADLINE}) as title_excerpt
      from stats
      left join page on true
      left join ${sql.table(table)} d on d.tenant_id = ${query.tenantId} and d.id = page.id
      order by page.score desc, page.id collate "C"`.execute(db);
    return result.rows;
  }

  return {
    async upsert(doc) {
      await upsertRows(db, table, [toRow(doc)]);
    },

    async upsertMany(docs) {
      if (docs.length === 0) return;
      // One statement may not update the same row twice: the last version of each document wins.
      const latest = new Map<string, PostgresSearchDocsTable>();
      for (const doc of docs) latest.set(JSON.stringify([doc.tenantId, doc.id]), toRow(doc));
      const rows = [...latest.values()];
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < rows.length; i += UPSERT_CHUNK)
          await upsertRows(trx, table, rows.slice(i, i + UPSERT_CHUNK));
      });
    },

    async remove(tenantId, id) {
      await db.deleteFrom(table).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
    },

    async clearTenant(tenantId) {
      await db.deleteFrom(table).where('tenant_id', '=', tenantId).execute();
    },

    async query(query): Promise<SearchPage> {
      assertSearchLimit(query.limit);
      parseSearchQuery(query.q);
      const cursor = query.cursor ? decodeCursor(query.cursor) : null;
      if (cursor !== null && (cursor.wu === undefined || cursor.wi === undefined))
        throw new SearchQueryError('the cursor is not valid');
      let start: RecencyKey | null =
        cursor?.wu !== undefined && cursor.wi !== undefined ? { u: cursor.wu, i: cursor.wi } : null;
      let inclusive = true;
      let after = cursor === null ? null : { score: cursor.score, id: cursor.id };
      const found: RankedHit[] = [];
      // Collect limit + 1 hits (the extra one proves a next page exists), moving to older windows as each runs out.
      for (;;) {
        const rows = await readWindow(query, start, inclusive, after, query.limit + 1 - found.length);
        const stats = rows[0];
        if (stats === undefined || stats.n === 0) break;
        const { first_u, first_i, last_u, last_i } = stats;
        if (first_u === null || first_i === null || last_u === null || last_i === null) break;
        const window = { u: first_u, i: first_i };
        for (const row of rows) {
          const ranked = toHit(row, window);
          if (ranked !== null) found.push(ranked);
        }
        if (found.length > query.limit || stats.n < rankWindow) break;
        start = { u: last_u, i: last_i };
        inclusive = false;
        after = null;
      }
      const items = found.slice(0, query.limit);
      const last = items[items.length - 1];
      const next =
        found.length > query.limit && last !== undefined
          ? encodeCursor({ score: last.hit.score, id: last.hit.id, wu: last.window.u, wi: last.window.i })
          : null;
      return { items: items.map((r) => r.hit), next };
    },
  };
}
