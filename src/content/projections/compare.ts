/**
 * Compares a tenant's live read models with their rebuilt twins, and copies the twins over the live tables. A
 * twin has the live table's columns in the same order, so `select *` … EXCEPT … finds differing rows on both
 * dialects without moving the tables through JavaScript.
 */
import { type Kysely, sql } from 'kysely';
import { READ_MODEL_TABLES, type ReadModelTable, rebuildTableOf } from '../entries/tables.ts';

/** Rows shown per table and side; the count is exact regardless. */
const SHOWN = 5;

/** Rows of one read-model table that differ between the live table and the replay. */
export interface TableDifference {
  readonly table: ReadModelTable | 'search_docs' | 'search_published';
  /** Rows present live but not produced by the replay (or with other values). */
  readonly onlyLive: number;
  /** Rows produced by the replay but absent live (or with other values). */
  readonly onlyRebuilt: number;
  /** A few of each, for the report. */
  readonly samples: readonly { readonly side: 'live' | 'rebuilt'; readonly row: unknown }[];
}

async function exceptRows(
  db: Kysely<unknown>,
  from: string,
  minus: string,
  tenantId: string,
): Promise<{ count: number; rows: unknown[] }> {
  const diff = sql`select * from ${sql.table(from)} where tenant_id = ${tenantId}
    except select * from ${sql.table(minus)} where tenant_id = ${tenantId}`;
  const count = await sql<{ n: number | string }>`select count(*) as n from (${diff}) d`.execute(db);
  const n = Number(count.rows[0]?.n ?? 0);
  if (n === 0) return { count: 0, rows: [] };
  const rows = await sql<unknown>`select * from (${diff}) d limit ${SHOWN}`.execute(db);
  return { count: n, rows: rows.rows };
}

/** Differences between each live read model and its twin for one tenant (tables without differences omitted). */
export async function compareReadModels(db: Kysely<unknown>, tenantId: string): Promise<TableDifference[]> {
  const differences: TableDifference[] = [];
  for (const table of READ_MODEL_TABLES) {
    const twin = rebuildTableOf(table);
    const live = await exceptRows(db, table, twin, tenantId);
    const rebuilt = await exceptRows(db, twin, table, tenantId);
    if (live.count === 0 && rebuilt.count === 0) continue;
    differences.push({
      table,
      onlyLive: live.count,
      onlyRebuilt: rebuilt.count,
      samples: [
        ...live.rows.map((row) => ({ side: 'live' as const, row })),
        ...rebuilt.rows.map((row) => ({ side: 'rebuilt' as const, row })),
      ],
    });
  }
  return differences;
}

/** Replaces a tenant's live read-model rows with the twins' rows (inside the caller's transaction). */
export async function copyRebuiltOverLive(db: Kysely<unknown>, tenantId: string): Promise<void> {
  for (const table of READ_MODEL_TABLES) {
    await sql`delete from ${sql.table(table)} where tenant_id = ${tenantId}`.execute(db);
    await sql`insert into ${sql.table(table)} select * from ${sql.table(rebuildTableOf(table))}
      where tenant_id = ${tenantId}`.execute(db);
  }
}
