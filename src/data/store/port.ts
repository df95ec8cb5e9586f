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
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** SQL dialect behind a store; the only place code may branch on backend. */
export type Dialect = 'sqlite' | 'postgres';

/** A connected relational store. */
export interface Store {
  /** Which adapter this is. */
  readonly dialect: Dialect;
  /** The typed query builder. */
  readonly db: Kysely<Database>;
  /** Resolves when the database answers a trivial query; rejects otherwise (used by /readyz). */
  ping(): Promise<void>;
  /** Closes connections; further queries fail. */
  close(): Promise<void>;
}
