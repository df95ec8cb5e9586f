/**
 * The `store` port: relational storage through Kysely. Two adapters share this interface:
 * `sqlite/` (embedded, `node:sqlite` in WAL mode) and `postgres/` (distributed, `pg` pool).
 *
 * Contract:
 * - `db` is a Kysely instance over the identity tables in `schema.ts`; other ports extend the typed schema
 *   with `store.db.withTables<TheirTables>()` rather than editing one shared type.
 * - Every query names its tenant explicitly; nothing here scopes queries implicitly.
 * - A write whose promise resolved is durable against a process crash (kill -9).
 * - Transactions: `db.transaction().execute(fn)`; on SQLite they serialize on the single connection.
 */
import type { Compilable, Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** SQL dialect behind a store; the only place code may branch on backend. */
export type Dialect = 'sqlite' | 'postgres';

/**
 * A read query compiled once and run many times with new parameters, for hot point reads. Parameters are
 * positional, in the order the compiled query holds them (build the query with the values in the same order you
 * will pass them). Runs outside any transaction and sees committed data only.
 */
export interface PreparedRead<Row> {
  /** The first row, or undefined. */
  first(parameters: readonly unknown[]): Promise<Row | undefined>;
  /** Every row. */
  all(parameters: readonly unknown[]): Promise<Row[]>;
}

/** A connected relational store. */
export interface Store {
  /** Which adapter this is. */
  readonly dialect: Dialect;
  /** The typed query builder. */
  readonly db: Kysely<Database>;
  /**
   * Prepares a SELECT for repeated execution: SQLite runs it on the read connection without queueing behind
   * writers; PostgreSQL uses a named server-side prepared statement. Besides builder SELECTs it takes raw SQL that
   * starts with SELECT or WITH (readQuery.ts); raw SQL may number its parameters (`?1`, `$1`) to reuse one.
   */
  prepare<Row>(query: Compilable<Row>): PreparedRead<Row>;
  /** Resolves when the database answers a trivial query; rejects otherwise (used by /readyz). */
  ping(): Promise<void>;
  /** Closes connections; further queries fail. */
  close(): Promise<void>;
}
