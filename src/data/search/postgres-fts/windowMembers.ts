/**
 * Finds the members of one rank window on PostgreSQL: the `window` newest matches (by updated_at, id) at or
 * after a start position. The answer is the same whichever way it is found; only the cost differs, and the
 * planner cannot be trusted to pick (it prices the tsvector test of a walked row as a cheap filter, while each
 * costs a detoast, ~2.5 µs; at 1M documents it walked 46k rows for a word in 0.6 % of them, ~700 ms).
 *
 * - Walk: read the tenant's newest documents through `search_docs_newest_idx` and test each; the cost is the rows
 *   walked, about window ÷ (the word's frequency). Cheap for common words.
 * - Bitmap: every match from the GIN index, then the newest `window` of them; the cost is the match count
 *   (one heap visit each, ~4 µs). Cheap for rare words.
 *
 * A short walk (4 × window rows) settles common words and measures the frequency of the others; the cheaper of a
 * longer walk and the bitmap then finishes, judged by that frequency and the tenant's size (planner estimate).
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';

/** A position in (updated_at desc, id desc) order. */
export interface RecencyKey {
  readonly u: string;
  readonly i: string;
}

/** What to find. */
export interface WindowSpec {
  /** The documents table (`search_docs` or `search_published`: same columns and indexes). */
  readonly table: string;
  readonly tenantId: string;
  /** Match conditions on alias `d` (tsquery and filters), tenant excluded. */
  readonly conditions: readonly RawBuilder<unknown>[];
  /** Newest member allowed (inclusive) or the position strictly after which members start. */
  readonly start: RecencyKey | null;
  readonly inclusive: boolean;
  readonly window: number;
}

const WALK_FACTOR = 4;
// Costs in µs per row, measured on the benchmark machine (see the module comment).
const WALK_ROW_US = 2.5;
const BITMAP_ROW_US = 4;
const MAX_WALK = 200_000;
const SIZE_TTL_MS = 60_000;

/**
 * Estimated documents per tenant in `table`, from the planner (cached for a minute; no COUNT(*) over a big
 * tenant).
 */
export function createTenantSizes(db: Kysely<unknown>, table: string) {
  const cache = new Map<string, { n: number; at: number }>();
  return async (tenantId: string): Promise<number> => {
    const hit = cache.get(tenantId);
    if (hit !== undefined && Date.now() - hit.at < SIZE_TTL_MS) return hit.n;
    const plan = await sql<{ 'QUERY PLAN': unknown }>`
      explain (format json) select 1 from ${sql.table(table)} where tenant_id = ${tenantId}`.execute(db);
    const raw = plan.rows[0]?.['QUERY PLAN'];
    const parsed = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan?: { 'Plan Rows'?: number } }[];
    const n = parsed[0]?.Plan?.['Plan Rows'] ?? 0;
    cache.set(tenantId, { n, at: Date.now() });
    return n;
  };
}

function startCondition(spec: WindowSpec): RawBuilder<unknown> {
  if (spec.start === null) return sql`true`;
  return spec.inclusive
    ? sql`(d.updated_at, d.id) <= (${spec.start.u}, ${spec.start.i})`
    : sql`(d.updated_at, d.id) < (${spec.start.u}, ${spec.start.i})`;
}

/**
 * Walks at most `rows` newest documents, stopping at the window's last member; returns the matches and, when
 * there are fewer than a window of them, how many documents were walked (fewer than `rows`: the tenant ran out).
 */
async function walk(db: Kysely<unknown>, spec: WindowSpec, rows: number): Promise<{ walked: number; ids: string[] }> {
  // Not materialized: the walk streams through the index and the outer LIMIT stops it at the last member.
  const result = await sql<{ id: string }>`
    select d.id from (
      select d.tenant_id, d.id, d.type, d.status, d.tags, d.updated_at, d.tsv from ${sql.table(spec.table)} d
      where d.tenant_id = ${spec.tenantId} and ${startCondition(spec)}
      order by d.updated_at desc, d.id desc limit ${rows}
    ) d
    where ${sql.join(spec.conditions, sql` and `)}
    order by d.updated_at desc, d.id desc limit ${spec.window}`.execute(db);
  const ids = result.rows.map((r) => r.id);
  if (ids.length >= spec.window) return { walked: rows, ids };
  const counted = await sql<{ n: number }>`
    select count(*)::int as n from (
      select 1 from ${sql.table(spec.table)} d where d.tenant_id = ${spec.tenantId} and ${startCondition(spec)}
      order by d.updated_at desc, d.id desc limit ${rows}
    ) r`.execute(db);
  return { walked: counted.rows[0]?.n ?? 0, ids };
}

/** Every match through the GIN index (index walks switched off for this statement's transaction). */
async function bitmap(db: Kysely<unknown>, spec: WindowSpec): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    await sql`set local enable_indexscan = off`.execute(trx);
    await sql`set local enable_seqscan = off`.execute(trx);
    const result = await sql<{ id: string }>`
      select d.id from ${sql.table(spec.table)} d
      where d.tenant_id = ${spec.tenantId} and ${startCondition(spec)} and ${sql.join(spec.conditions, sql` and `)}
      order by d.updated_at desc, d.id desc limit ${spec.window}`.execute(trx);
    return result.rows.map((r) => r.id);
  });
}

/** The window's member ids, newest first. */
export async function findWindowMembers(
  db: Kysely<unknown>,
  spec: WindowSpec,
  tenantSize: (tenantId: string) => Promise<number>,
): Promise<string[]> {
  let rows = spec.window * WALK_FACTOR;
  let probe = await walk(db, spec, rows);
  if (probe.ids.length >= spec.window || probe.walked < rows) return probe.ids;
  const size = await tenantSize(spec.tenantId);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const frequency = Math.max(probe.ids.length, 0.5) / probe.walked;
    const walkRows = Math.ceil((spec.window / frequency) * 1.5);
    const walkCost = walkRows * WALK_ROW_US;
    const bitmapCost = frequency * Math.max(size, probe.walked) * BITMAP_ROW_US;
    if (walkRows > MAX_WALK || walkCost > bitmapCost) break;
    rows = walkRows;
    probe = await walk(db, spec, rows);
    if (probe.ids.length >= spec.window || probe.walked < rows) return probe.ids;
  }
  return bitmap(db, spec);
}
