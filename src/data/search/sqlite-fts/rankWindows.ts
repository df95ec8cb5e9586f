/**
 * The statement behind a SQLite search (sqliteSearch.ts explains rank windows): one read of a rank window's stats
 * and its best hits, with the excerpts (`snippet()` / `highlight()`) of exactly the hits returned, in one snapshot.
 *
 * Outside a transaction it runs prepared on the store's read connection: raw SQL sent through Kysely would be
 * queued on the write connection as a write transaction of its own. Inside a transaction (which must see its own
 * writes) it runs through the transaction.
 *
 * Excerpts stay inside the window statement, one correlated MATCH lookup per returned hit. A separate pass that
 * scanned the MATCH once over the hits' rowid span cost ~10 % less CPU at 10k documents but, at 1M, 24 ms for a
 * common word against almost nothing for the per-hit lookups (the span holds a whole window of matches and their
 * position lists), which doubled common-word and two-word queries; it also needed a second snapshot.
 */
import { CompiledQuery, type Kysely, sql } from 'kysely';
import type { PreparedRead, Store } from '../../store/port.ts';
import { MARK_END, MARK_START } from '../text.ts';
import type { RowidRange } from './tenantRanges.ts';

const TITLE_WEIGHT = 10;
const BODY_WEIGHT = 1;
const SNIPPET_TOKENS = 24;

/** A row of the window statement: the window's stats, and one hit (or none: nulls). */
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
  /** JSON array of the body's `snippet()`, then the title's `highlight()` (null without a hit). */
  excerpts: string | null;
}

/** A hit's excerpts: the body's snippet and the highlighted title. */
export interface Excerpts {
  readonly body: string | null;
  readonly title: string | null;
}

/** The tables one index reads: its documents and their FTS5 index (migrations 0005 and 0020). */
export interface FtsTables {
  readonly docs: 'search_docs' | 'search_published';
  readonly fts: 'search_fts' | 'search_published_fts';
}

/**
 * Parameters: ?1 MATCH expression, ?2 and ?3 rowid bounds, ?4 window size, ?5 tenant id, ?6 and ?7 keyset rank
 * and id (null for the first page), ?8 hits wanted, ?9 and ?10 the match markers.
 */
function windowSql({ docs, fts }: FtsTables): string {
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
  -- The other columns, and the excerpts, for the page's rows only (not for every candidate the sort sees).
  select stats.n, stats.first, stats.last, page.rid, page.r, page.id, d.type, d.status, d.title, d.updated_at,
    (select json_array(snippet(${fts}, 2, ?9, ?10, '…', ${SNIPPET_TOKENS}), highlight(${fts}, 1, ?9, ?10))
       from ${fts} where ${fts} match ?1 and rowid = page.rid) as excerpts
  from stats left join page on 1 left join ${docs} d on d.rid = page.rid
  order by page.r, page.id`;
}

/** Keyset position inside a window: rank (bm25, lower is better) and id of the last hit seen. */
export interface After {
  readonly rank: number;
  readonly id: string;
}

/** Runs the window statement for one adapter (`db` is the store's handle or a transaction). */
export interface RankWindows {
  /** One window's stats and up to `need` hits after `after`, with their excerpts. */
  read(match: string, tenantId: string, bounds: RowidRange, after: After | null, need: number): Promise<WindowRow[]>;
}

/** The window statement over `tables` of `store`, reading through `db` (see the module comment). */
export function createRankWindows(
  store: Store,
  db: Kysely<unknown>,
  rankWindow: number,
  tables: FtsTables,
): RankWindows {
  const text = windowSql(tables);
  let prepared: PreparedRead<WindowRow> | undefined;
  return {
    async read(match, tenantId, bounds, after, need) {
      const parameters = [
        match,
        bounds.lo,
        bounds.hi,
        rankWindow,
        tenantId,
        after?.rank ?? null,
        after?.id ?? null,
        need,
        MARK_START,
        MARK_END,
      ];
      if (db.isTransaction) return (await db.executeQuery<WindowRow>(CompiledQuery.raw(text, parameters))).rows;
      prepared ??= store.prepare<WindowRow>({ compile: () => sql.raw(text).compile(db) as CompiledQuery<WindowRow> });
      return prepared.all(parameters);
    },
  };
}

/** The excerpts a window read carried for `row`. */
export function excerptsOf(row: WindowRow): Excerpts {
  if (row.excerpts === null) return { body: null, title: null };
  const [body, title] = JSON.parse(row.excerpts) as [string | null, string | null];
  return { body, title };
}
