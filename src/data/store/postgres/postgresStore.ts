/**
 * Distributed store adapter: a `pg` pool behind Kysely's PostgresDialect. timestamptz and bigint columns are
 * read back as text and numbers respectively so rows look the same as on SQLite.
 */
import { createHash } from 'node:crypto';
import { type Compilable, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { PreparedRead, Store } from '../port.ts';
import { isPreparableRead } from '../readQuery.ts';
import type { Database } from '../schema.ts';

const INT8_OID = 20;
const TIMESTAMPTZ_OID = 1184;
const TIMESTAMP_OID = 1114;

/** Options of the distributed store. */
export interface PostgresStoreOptions {
  /** postgres:// connection URL. */
  readonly connectionString: string;
  /** Pool size. */
  readonly max: number;
  /** search_path to use (tests isolate themselves in a schema of their own). */
  readonly schema?: string;
}

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    // bigint counters and sequences stay far below 2^53; numbers keep rows identical to SQLite's.
    if (oid === INT8_OID) return (value: string) => Number(value);
    // ISO strings on both dialects; Date objects would differ from SQLite's text.
    if (oid === TIMESTAMPTZ_OID || oid === TIMESTAMP_OID) return (value: string) => new Date(value).toISOString();
    return pg.types.getTypeParser(oid, format);
  },
};

/** Opens a pooled PostgreSQL store. */
export function openPostgresStore(options: PostgresStoreOptions): Store {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max,
    types,
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    dialect: 'postgres',
    db,
    prepare<Row>(query: Compilable<Row>): PreparedRead<Row> {
      const compiled = query.compile();
      if (!isPreparableRead(compiled)) throw new TypeError('prepare() takes SELECT queries only');
      // Named statements are parsed and planned once per pooled connection.
      const name = `g_${createHash('sha256').update(compiled.sql).digest('hex').slice(0, 24)}`;
      const text = compiled.sql;
      const all = async (parameters: readonly unknown[]): Promise<Row[]> =>
        (await pool.query<Row & pg.QueryResultRow>({ name, text, values: [...parameters] })).rows;
      return {
        all,
        first: async (parameters) => (await all(parameters))[0],
      };
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await db.destroy();
    },
  };
}
