/**
 * Embedded search adapter: SQLite FTS5 over `search_docs` (migration 0005), ranked with bm25 (title weighted
 * 10× body), excerpts from `snippet()` / `highlight()`. Tenants are isolated by rowid range (tenantRanges.ts);
 * type, status and tag filters are extra MATCH tokens, so FTS5 only ever visits qualifying documents. (Those
 * few tokens count toward bm25's document length, so a document with many tags ranks very slightly lower.)
 *
 * Rank windows. FTS5 has no top-k shortcut: `ORDER BY rank LIMIT k` still computes bm25 for every match and
 * sorts them all, so a word found in all of a tenant's 100k documents cost 60–240 ms per query however small
 * the page. Matches are therefore ranked in windows: the `rankWindow` most recently indexed matches (rowids are
 * handed out downwards, so these are the lowest, which FTS5 reaches first) are ranked exactly by bm25, then the
 * next window, and so on. A query matching at most `rankWindow` documents is ordered by exact bm25; a broader
 * one by bm25 within recency tiers. Pagination still visits every hit exactly once: the cursor carries the
 * window's first rowid (`w`) besides `{ score, id }`, and an upsert keeps a document's rowid, so documents
 * indexed later never join an earlier window. (As with any keyset over relevance, pages are exact while the
 * index is unchanged: every write moves bm25's corpus statistics.)
 *
 * What stays proportional to the corpus: bm25 counts every posting of each MATCH phrase (its IDF) on every
 * query, and an exclusion or phrase of very common words must test every candidate; see the benchmark notes.
 */
import { type Generated, type Kysely, sql } from 'kysely';
import type { Store } from '../../store/port.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import {
  type SearchDocument,
  type SearchHit,
  type SearchIndex,
  type SearchPage,
  type SearchQuery,
  SearchQueryError,
} from '../port.ts';
import { parseSearchQuery, toFts5Expression } from '../queryParser.ts';
import { assertSearchLimit, excerptToHtml, hasMatchMarker, indexableText, MARK_END, MARK_START } from '../text.ts';
import { createTenantRanges, type RowidRange } from './tenantRanges.ts';

/** Row shape of the SQLite `search_docs` table. */
interface SqliteSearchDocsTable {
  rid: Generated<number>;
  tenant_id: string;
  id: string;
  type: string;
  status: string;
  /** JSON array of tags. */
  tags: string;
  /** Filter tokens (see filterToken). */
  meta: string;
  title: string;
  body: string;
  updated_at: string;
}

type SqliteSearchTables = {
  search_docs: SqliteSearchDocsTable;
};

/** Options of the embedded search adapter. */
export interface SqliteSearchOptions {
  /** Matches ranked together per window (see the module comment). Default 1000. */
  readonly rankWindow?: number;
}

const DEFAULT_RANK_WINDOW = 1000;
const TITLE_WEIGHT = 10;
const BODY_WEIGHT = 1;
const SNIPPET_TOKENS = 24;

// U+0001 (a token character for this index only, stripped from indexed text) + kind letter + hex of the value:
// one token per value that no title or body word and no parsed query word can equal.
function filterToken(kind: 'y' | 's' | 'g', value: string): string {
  return `\u0001${kind}${Buffer.from(value, 'utf8').toString('hex')}`;
}

function metaOf(doc: SearchDocument): string {
  return [filterToken('y', doc.type), filterToken('s', doc.status), ...doc.tags.map((t) => filterToken('g', t))].join(
    ' ',
  );
}

function matchExpression(query: SearchQuery, userExpression: string): string {
  const tokens: string[] = [];
  if (query.type !== undefined) tokens.push(filterToken('y', query.type));
  if (query.status !== undefined) tokens.push(filterToken('s', query.status));
  if (query.tag !== undefined) tokens.push(filterToken('g', query.tag));
  return [...tokens.map((t) => `"${t}"`), `(${userExpression})`].join(' AND ');
}

interface WindowRow {
  n: number;
  first: number | null;
  last: number | null;
  rid: number | null;
  r: number | null;
  id: string | null;
  type: string | null;
  status: string | null;
  title: string | null;
  updated_at: string | null;
  body_excerpt: string | null;
  title_excerpt: string | null;
}

interface RankedHit {
  readonly hit: SearchHit;
  /** First (lowest) rowid of the rank window the hit came from. */
  readonly window: number;
}

function toHit(row: WindowRow, window: number): RankedHit | null {
  if (row.rid === null || row.r === null || row.id === null) return null;
  const body = row.body_excerpt ?? '';
  const excerpt = hasMatchMarker(body) ? body : (row.title_excerpt ?? body);
  const hit: SearchHit = {
    id: row.id,
    type: row.type ?? '',
    status: row.status ?? '',
    title: row.title ?? '',
    snippet: excerptToHtml(excerpt),
    // bm25() is lower-is-better; negation is exact, so the cursor's score maps back to the same double.
    score: -row.r,
    updatedAt: row.updated_at ?? '',
  };
  return { hit, window };
}

/** Opens the FTS5 search index on an embedded store (migration 0005 must have run). */
export function createSqliteSearch(store: Store, options: SqliteSearchOptions = {}): SearchIndex {
  if (store.dialect !== 'sqlite') throw new Error('createSqliteSearch needs a sqlite store');
  const rankWindow = options.rankWindow ?? DEFAULT_RANK_WINDOW;
  if (!Number.isSafeInteger(rankWindow) || rankWindow < 1)
    throw new RangeError('rankWindow must be a positive integer');
  // Kysely's schema parameter is invariant: go through unknown to type the store over this adapter's tables.
  const db = (store.db as unknown as Kysely<unknown>).withTables<SqliteSearchTables>();
  const ranges = createTenantRanges(store);

  async function upsertOne(target: Kysely<SqliteSearchTables>, range: RowidRange, doc: SearchDocument): Promise<void> {
    const changes = {
      type: doc.type,
      status: doc.status,
      tags: JSON.stringify(doc.tags),
      meta: metaOf(doc),
      title: indexableText(doc.title),
      body: indexableText(doc.body),
      updated_at: doc.updatedAt,
    };
    // A new document takes the next lower rowid of its tenant's range (newest first is FTS5's cheaper ascending
    // walk); ON CONFLICT DO UPDATE keeps an existing document's rowid.
    const rid = sql<number>`(select coalesce(min(rid), ${range.hi + 1}) - 1 from search_docs
      where rid between ${range.lo} and ${range.hi})`;
    await target
      .insertInto('search_docs')
      .values({ rid, tenant_id: doc.tenantId, id: doc.id, ...changes })
      .onConflict((oc) => oc.columns(['tenant_id', 'id']).doUpdateSet(changes))
      .execute();
  }

  /** One rank window: its stats, plus up to `need` hits after the keyset position. */
  async function readWindow(
    match: string,
    tenantId: string,
    bounds: RowidRange,
    after: { rank: number; id: string } | null,
    need: number,
  ): Promise<WindowRow[]> {
    const ar = after?.rank ?? null;
    const aid = after?.id ?? null;
    const result = await sql<WindowRow>`
      with cand as materialized (
        select rowid as rid, bm25(search_fts, 0.0, ${sql.lit(TITLE_WEIGHT)}, ${sql.lit(BODY_WEIGHT)}) as r
        from search_fts where search_fts match ${match} and rowid between ${bounds.lo} and ${bounds.hi}
        order by rowid limit ${rankWindow}
      ),
      stats as (select count(*) as n, min(rid) as first, max(rid) as last from cand),
      page as materialized (
        select c.rid, c.r, d.id, d.type, d.status, d.title, d.updated_at
        -- CROSS JOIN keeps cand outermost: left alone, the planner walks every index entry of the tenant.
        from cand c cross join search_docs d on d.rid = c.rid
        where d.tenant_id = ${tenantId} and (${ar} is null or c.r > ${ar} or (c.r = ${ar} and d.id > ${aid}))
        order by c.r, d.id limit ${need}
      )
      select stats.n, stats.first, stats.last, page.rid, page.r, page.id, page.type, page.status, page.title,
        page.updated_at,
        (select snippet(search_fts, 2, ${MARK_START}, ${MARK_END}, '…', ${sql.lit(SNIPPET_TOKENS)})
           from search_fts where search_fts match ${match} and rowid = page.rid) as body_excerpt,
        (select highlight(search_fts, 1, ${MARK_START}, ${MARK_END})
           from search_fts where search_fts match ${match} and rowid = page.rid) as title_excerpt
      from stats left join page on 1
      order by page.r, page.id`.execute(db);
    return result.rows;
  }

  return {
    async upsert(doc) {
      await upsertOne(db, await ranges.ensure(doc.tenantId), doc);
    },

    async upsertMany(docs) {
      if (docs.length === 0) return;
      const byTenant = new Map<string, RowidRange>();
      for (const doc of docs) {
        if (!byTenant.has(doc.tenantId)) byTenant.set(doc.tenantId, await ranges.ensure(doc.tenantId));
      }
      await db.transaction().execute(async (trx) => {
        for (const doc of docs) {
          const range = byTenant.get(doc.tenantId);
          if (range === undefined) throw new Error('unreachable: every tenant has a range');
          await upsertOne(trx, range, doc);
        }
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
      const match = matchExpression(query, toFts5Expression(parseSearchQuery(query.q)));
      const cursor = query.cursor ? decodeCursor(query.cursor) : null;
      if (cursor !== null && cursor.w === undefined) throw new SearchQueryError('the cursor is not valid');
      const range = await ranges.find(query.tenantId);
      if (range === null) return { items: [], next: null };
      let from = Math.max(cursor?.w ?? range.lo, range.lo);
      let after = cursor === null ? null : { rank: -cursor.score, id: cursor.id };
      const found: RankedHit[] = [];
      // Collect limit + 1 hits (the extra one proves a next page exists), moving to older windows as each runs out.
      for (;;) {
        const rows = await readWindow(
          match,
          query.tenantId,
          { lo: from, hi: range.hi },
          after,
          query.limit + 1 - found.length,
        );
        const stats = rows[0];
        if (stats === undefined || stats.n === 0 || stats.first === null || stats.last === null) break;
        // Name the window by its newest member: documents indexed later get lower rowids and never join it.
        const window = stats.first;
        for (const row of rows) {
          const ranked = toHit(row, window);
          if (ranked !== null) found.push(ranked);
        }
        if (found.length > query.limit || stats.n < rankWindow) break;
        from = stats.last + 1;
        after = null;
      }
      const items = found.slice(0, query.limit);
      const last = items[items.length - 1];
      const next =
        found.length > query.limit && last !== undefined
          ? encodeCursor({ score: last.hit.score, id: last.hit.id, w: last.window })
          : null;
      return { items: items.map((r) => r.hit), next };
    },
  };
}
