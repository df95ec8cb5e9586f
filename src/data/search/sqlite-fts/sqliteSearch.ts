/**
 * Embedded search adapter: SQLite FTS5 over `search_docs` (migration 0005), or its twin `search_published`
 * (migration 0020) for the published collection, ranked with bm25 (title weighted
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
import { PreparedWrite } from '../../store/preparedWrite.ts';
import { decodeCursor, encodeCursor, type SearchCursor } from '../cursor.ts';
import {
  type SearchCollection,
  type SearchDocument,
  type SearchHit,
  type SearchIndex,
  type SearchPage,
  type SearchQuery,
  SearchQueryError,
} from '../port.ts';
import { parseSearchQuery, toFts5Expression } from '../queryParser.ts';
import { assertSearchLimit, excerptToHtml, hasMatchMarker, indexableText } from '../text.ts';
import { createRankWindows, type Excerpts, excerptsOf, type FtsTables, type WindowRow } from './rankWindows.ts';
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
  search_published: SqliteSearchDocsTable;
};

/** The tables of each collection (migrations 0005 and 0020). */
const TABLES: Readonly<Record<SearchCollection, FtsTables>> = {
  current: { docs: 'search_docs', fts: 'search_fts' },
  published: { docs: 'search_published', fts: 'search_published_fts' },
};

/** Options of the embedded search adapter. */
export interface SqliteSearchOptions {
  /** Which copy of the entries the index holds (default `current`). */
  readonly collection?: SearchCollection;
  /** Matches ranked together per window (see the module comment). Default 500. */
  readonly rankWindow?: number;
}

// Every member of a window costs a bm25 evaluation (position lists read), so a word with more matches than the
// window costs about the same whatever its frequency. At 1M documents on the 2-core benchmark VM, 1,000 made a word
// in 0.1-1 % of documents p95 56 ms at 20/s; 500 made it 14 ms (common words 32 -> 27 ms). Any query with at most
// 500 matches is still ranked exactly; broader ones by bm25 within tiers of the 500 most recently indexed.
const DEFAULT_RANK_WINDOW = 500;

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

interface RankedRow {
  readonly row: WindowRow;
  /** First (lowest) rowid of the rank window the hit came from. */
  readonly window: number;
}

function toHit(row: WindowRow, excerpts: Excerpts): SearchHit {
  const body = excerpts.body ?? '';
  const excerpt = hasMatchMarker(body) ? body : (excerpts.title ?? body);
  return {
    id: row.id ?? '',
    type: row.type ?? '',
    status: row.status ?? '',
    title: row.title ?? '',
    snippet: excerptToHtml(excerpt),
    // bm25() is lower-is-better; negation is exact, so the cursor's score maps back to the same double.
    score: -(row.r ?? 0),
    updatedAt: row.updated_at ?? '',
  };
}

/** Values of the document upsert. */
interface UpsertValues extends Readonly<Record<string, unknown>> {
  /** Rowid range of the document's tenant, and hi + 1 (the first rowid handed out is hi). */
  readonly next_rid_base: number;
  readonly lo: number;
  readonly hi: number;
  readonly tenant_id: string;
  readonly id: string;
  readonly type: string;
  readonly status: string;
  readonly tags: string;
  readonly meta: string;
  readonly title: string;
  readonly body: string;
  readonly updated_at: string;
}

// Every entry write runs it: built and compiled once per collection (data/store/preparedWrite.ts). A new document
// takes the next lower rowid of its tenant's range (newest first is FTS5's cheaper ascending walk); ON CONFLICT DO
// UPDATE keeps an existing document's rowid.
const upsertDoc = (table: FtsTables['docs']) =>
  new PreparedWrite<SqliteSearchTables, UpsertValues>((db, slot) => {
    const changes = {
      type: slot('type'),
      status: slot('status'),
      tags: slot('tags'),
      meta: slot('meta'),
      title: slot('title'),
      body: slot('body'),
      updated_at: slot('updated_at'),
    };
    const rid = sql<number>`(select coalesce(min(rid), ${slot('next_rid_base')}) - 1 from ${sql.table(table)}
      where rid between ${slot('lo')} and ${slot('hi')})`;
    return db
      .insertInto(table)
      .values({ rid, tenant_id: slot('tenant_id'), id: slot('id'), ...changes })
      .onConflict((oc) => oc.columns(['tenant_id', 'id']).doUpdateSet(changes));
  });
const UPSERTS = { search_docs: upsertDoc('search_docs'), search_published: upsertDoc('search_published') };

/** Opens the FTS5 search index on an embedded store (migration 0005 must have run). */
export function createSqliteSearch(store: Store, options: SqliteSearchOptions = {}): SearchIndex {
  if (store.dialect !== 'sqlite') throw new Error('createSqliteSearch needs a sqlite store');
  const rankWindow = options.rankWindow ?? DEFAULT_RANK_WINDOW;
  if (!Number.isSafeInteger(rankWindow) || rankWindow < 1)
    throw new RangeError('rankWindow must be a positive integer');
  const tables = TABLES[options.collection ?? 'current'];
  const upsert = UPSERTS[tables.docs];
  // Kysely's schema parameter is invariant: go through unknown to type the store over this adapter's tables.
  const db = (store.db as unknown as Kysely<unknown>).withTables<SqliteSearchTables>();
  // Both collections share the tenant slots: their rowid spaces are separate tables.
  const ranges = createTenantRanges(store);

  async function upsertOne(target: Kysely<SqliteSearchTables>, range: RowidRange, doc: SearchDocument): Promise<void> {
    await upsert.execute(target, {
      next_rid_base: range.hi + 1,
      lo: range.lo,
      hi: range.hi,
      tenant_id: doc.tenantId,
      id: doc.id,
      type: doc.type,
      status: doc.status,
      tags: JSON.stringify(doc.tags),
      meta: metaOf(doc),
      title: indexableText(doc.title),
      body: indexableText(doc.body),
      updated_at: doc.updatedAt,
    });
  }

  const windows = createRankWindows(store, db as unknown as Kysely<unknown>, rankWindow, tables);

  /** Collects limit + 1 hits (the extra one proves a next page exists), moving to older windows as each runs out. */
  async function collect(
    query: SearchQuery,
    match: string,
    range: RowidRange,
    cursor: SearchCursor | null,
  ): Promise<RankedRow[]> {
    let from = Math.max(cursor?.w ?? range.lo, range.lo);
    let after = cursor === null ? null : { rank: -cursor.score, id: cursor.id };
    const found: RankedRow[] = [];
    for (;;) {
      const rows = await windows.read(
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
        if (row.rid !== null && row.r !== null && row.id !== null) found.push({ row, window });
      }
      if (found.length > query.limit || stats.n < rankWindow) break;
      from = stats.last + 1;
      after = null;
    }
    return found;
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
      await db.deleteFrom(tables.docs).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
    },

    async clearTenant(tenantId) {
      await db.deleteFrom(tables.docs).where('tenant_id', '=', tenantId).execute();
    },

    async query(query): Promise<SearchPage> {
      assertSearchLimit(query.limit);
      const match = matchExpression(query, toFts5Expression(parseSearchQuery(query.q)));
      const cursor = query.cursor ? decodeCursor(query.cursor) : null;
      if (cursor !== null && cursor.w === undefined) throw new SearchQueryError('the cursor is not valid');
      const range = await ranges.find(query.tenantId);
      if (range === null) return { items: [], next: null };
      const found = await collect(query, match, range, cursor);
      const items = found.slice(0, query.limit);
      const hits = items.map((r) => toHit(r.row, excerptsOf(r.row)));
      const last = items[items.length - 1];
      const lastHit = hits[hits.length - 1];
      const next =
        found.length > query.limit && last !== undefined && lastHit !== undefined
          ? encodeCursor({ score: lastHit.score, id: lastHit.id, w: last.window })
          : null;
      return { items: hits, next };
    },
  };
}
