/**
 * Kysely's SqliteDialect over Node's built-in `node:sqlite` (no native addon). Kysely expects a
 * better-sqlite3-shaped database; this adapts `DatabaseSync` to it and caches prepared statements by SQL text,
 * because preparing dominates the cost of a point read.
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import { type SqliteDatabase, SqliteDialect, type SqliteStatement } from 'kysely';

const STATEMENT_CACHE_LIMIT = 500;

/** Converts values node:sqlite refuses (booleans, Dates, undefined) into ones it binds. */
export function toSqliteValue(value: unknown): SQLInputValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string') return value;
  if (value instanceof Uint8Array) return value;
  return JSON.stringify(value);
}

class CachedStatement implements SqliteStatement {
  readonly reader: boolean;
  readonly #stmt: StatementSync;
  constructor(stmt: StatementSync) {
    this.#stmt = stmt;
    this.reader = stmt.columns().length > 0;
  }
  all(parameters: ReadonlyArray<unknown>): unknown[] {
    // node:sqlite returns null-prototype rows; plain objects keep rows identical to pg's across backends.
    return this.#stmt.all(...parameters.map(toSqliteValue)).map((row) => ({ ...row }));
  }
  run(parameters: ReadonlyArray<unknown>): { changes: number | bigint; lastInsertRowid: number | bigint } {
    return this.#stmt.run(...parameters.map(toSqliteValue));
  }
  iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown> {
    return this.#stmt.iterate(...parameters.map(toSqliteValue));
  }
}

/** Wraps a DatabaseSync so Kysely can drive it; statements are prepared once per distinct SQL text. */
export function adaptDatabase(database: DatabaseSync): SqliteDatabase {
  const cache = new Map<string, CachedStatement>();
  return {
    close: () => database.close(),
    prepare(sql: string): SqliteStatement {
      let stmt = cache.get(sql);
      if (stmt === undefined) {
        stmt = new CachedStatement(database.prepare(sql));
        // Insertion-ordered Map: dropping the oldest keeps the cache bounded for ad-hoc SQL.
        if (cache.size >= STATEMENT_CACHE_LIMIT) {
          const oldest = cache.keys().next();
          if (oldest.done !== true) cache.delete(oldest.value);
        }
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}

/** A Kysely dialect for an open node:sqlite database. */
export function nodeSqliteDialect(database: DatabaseSync): SqliteDialect {
  return new SqliteDialect({ database: adaptDatabase(database) });
}
