/**
 * The statements behind a SQLite search (sqliteSearch.ts explains rank windows): one reads a rank window's stats
 * and its best hits; one computes the excerpts of the hits a page returns.
 *
 * Excerpts in one pass. FTS5's `snippet()` / `highlight()` only run on a row of a MATCH scan. Computed inside the
 * window query, every hit needed a correlated MATCH lookup of its rowid, which sets the whole expression up again
 * (term lookups in every segment) per hit: ~20 µs each, most of a search's CPU. The excerpt query instead scans the
 * MATCH once over the rowid span of the page's hits and computes both excerpts for exactly those rows.
 *
 * The two statements read two snapshots. The excerpt query returns each hit's `updated_at`, title and body length
 * as well, and when any hit is missing or differs (a write committed in between), the page is read again with the
 * excerpts inside the window query, in one snapshot, as before. Inside a transaction (which must see its own
 * writes) the window query always carries the excerpts.
 */
import { CompiledQuery, type Kysely, sql } from 'kysely';
import type { PreparedRead, Store } from '../../store/port.ts';
import { MARK_END, MARK_START } from '../text.ts';
import type { RowidRange } from './tenantRanges.ts';

const TITLE_WEIGHT = 10;
const BODY_WEIGHT = 1;
const SNIPPET_TOKENS = 24;

/** A row of the window query: the window's stats, and one hit (or none: nulls). */
export interface WindowRow {
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
  body_length: number | null;
  /** Only from the window query with excerpts: JSON array of the body's `snippet()`, then the title's `highlight()`. */
  excerpts?: string | null;
}

/** A hit's excerpts, with what identifies the document version they were taken from. */
export interface Excerpts {
  readonly body: string | null;
  readonly title: string | null;
}

interface ExcerptRow {
  rid: number;
  updated_at: string;
  title: string;
  body_length: number;
  body_excerpt: string | null;
  title_excerpt: string | null;
}

/** The tables one index reads: its documents and their FTS5 index (migrations 0005 and 0020). */
export interface FtsTables {
  readonly docs: 'search_docs' | 'search_published';
  readonly fts: 'search_fts' | 'search_published_fts';
}

/**
 * Parameters: ?1 MATCH expression, ?2 … ?3 rowid bounds, ?4 window size, ?5 tenant id, ?6 / ?7 keyset rank and id
 * (null for the first page), ?8 hits wanted; with excerpts, ?9 / ?10 the match markers.
 */
function windowSql(withExcerpts: boolean, { docs, fts }: FtsTables): string {
  const excerpts = withExcerpts
    ? `,
    (select json_array(snippet(${fts}, 2, ?9, ?10, '…', ${SNIPPET_TOKENS}), highlight(${fts}, 1, ?9, ?10))
       from ${fts} where ${fts} match ?1 and rowid = page.rid) as excerpts`
    : '';
  return `
  with cand as materialized (
    select rowid as rid, bm25(${fts}, 0.0, ${TITLE_WEIGHT}, ${BODY_WEIGHT}) as r
    from ${fts} where ${fts} match ?1 and rowid between ?2 and ?3
    order by rowid limit ?4
  ),
  stats as (select count(*) as n, min(rid) as first, max(rid) as last from cand),
  page as materialized (
    select c.rid, c.r, d.id
    -- CROSS JOIN keeps cand outermost: left alone, the planner walks every index entry of the tenant.
    from cand c cross join ${docs} d on d.rid = c.rid
    where d.tenant_id = ?5 and (?6 is null or c.r > ?6 or (c.r = ?6 and d.id > ?7))
    order by c.r, d.id limit ?8
  )
  -- The other columns for the page's rows only (not for every candidate the sort sees).
  select stats.n, stats.first, stats.last, page.rid, page.r, page.id, d.type, d.status, d.title, d.updated_at,
    length(d.body) as body_length${excerpts}
  from stats left join page on 1 left join ${docs} d on d.rid = page.rid
  order by page.r, page.id`;
}

/** Parameters: ?1 MATCH expression, ?2 … ?3 the span of the hits' rowids, ?4 JSON array of the rowids, ?5 / ?6 markers. */
function excerptSql({ docs, fts }: FtsTables): string {
  return `
  select ${fts}.rowid as rid, d.updated_at, d.title, length(d.body) as body_length,
    snippet(${fts}, 2, ?5, ?6, '…', ${SNIPPET_TOKENS}) as body_excerpt,
    highlight(${fts}, 1, ?5, ?6) as title_excerpt
  from ${fts} cross join ${docs} d on d.rid = ${fts}.rowid
  where ${fts} match ?1 and ${fts}.rowid between ?2 and ?3
    and +${fts}.rowid in (select value from json_each(?4))`;
}

/** Keyset position inside a window: rank (bm25, lower is better) and id of the last hit seen. */
export interface After {
  readonly rank: number;
  readonly id: string;
}

/** Runs the window and excerpt statements for one adapter (`db` is the store's handle or a transaction). */
export interface RankWindows {
  /** One window's stats and up to `need` hits after `after`; with excerpts inline when `withExcerpts`. */
  read(
    match: string,
    tenantId: string,
    bounds: RowidRange,
    after: After | null,
    need: number,
    withExcerpts: boolean,
  ): Promise<WindowRow[]>;
  /** True when window reads must carry their excerpts (inside a transaction). */
  readonly inline: boolean;
  /**
   * The excerpts of `hits` (rows of window reads without excerpts), by position; undefined when any hit's document
   * changed since its window was read (read again with excerpts inline).
   */
  excerpts(match: string, hits: readonly WindowRow[]): Promise<Excerpts[] | undefined>;
}

/** The statements over `tables` of `store`, reading through `db` (see the module comment for when each runs). */
export function createRankWindows(
  store: Store,
  db: Kysely<unknown>,
  rankWindow: number,
  tables: FtsTables,
): RankWindows {
  const inline = db.isTransaction;
  const prepared = new Map<string, PreparedRead<unknown>>();
  // Outside a transaction: compiled once, run on the store's read connection (raw SQL sent through Kysely would be
  // queued as a write on the write connection). Inside one: through the transaction.
  async function run<Row>(text: string, parameters: readonly unknown[]): Promise<Row[]> {
    if (inline) return (await db.executeQuery<Row>(CompiledQuery.raw(text, [...parameters]))).rows;
    let statement = prepared.get(text);
    if (statement === undefined) {
      statement = store.prepare({ compile: () => sql.raw(text).compile(db) });
      prepared.set(text, statement);
    }
    return (await statement.all(parameters)) as Row[];
  }
  const plain = windowSql(false, tables);
  const withExcerpts = windowSql(true, tables);
  const excerptText = excerptSql(tables);

  return {
    inline,
    read(match, tenantId, bounds, after, need, excerpts) {
      const parameters = [match, bounds.lo, bounds.hi, rankWindow, tenantId, after?.rank ?? null, after?.id ?? null];
      return excerpts || inline
        ? run<WindowRow>(withExcerpts, [...parameters, need, MARK_START, MARK_END])
        : run<WindowRow>(plain, [...parameters, need]);
    },
    async excerpts(match, hits) {
      if (hits.length === 0) return [];
      const rids = hits.map((h) => h.rid ?? 0);
      const rows = await run<ExcerptRow>(excerptText, [
        match,
        Math.min(...rids),
        Math.max(...rids),
        JSON.stringify(rids),
        MARK_START,
        MARK_END,
      ]);
      const byRid = new Map(rows.map((row) => [row.rid, row]));
      const out: Excerpts[] = [];
      for (const hit of hits) {
        const row = byRid.get(hit.rid ?? 0);
        if (
          row === undefined ||
          row.updated_at !== hit.updated_at ||
          row.title !== hit.title ||
          row.body_length !== hit.body_length
        ) {
          return undefined;
        }
        out.push({ body: row.body_excerpt, title: row.title_excerpt });
      }
      return out;
    },
  };
}

/** The excerpts a window read with excerpts inline carried for `row`. */
export function inlineExcerpts(row: WindowRow): Excerpts {
  if (row.excerpts === undefined || row.excerpts === null) return { body: null, title: null };
  const [body, title] = JSON.parse(row.excerpts) as [string | null, string | null];
  return { body, title };
}
