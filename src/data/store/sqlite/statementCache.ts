/**
 * Prepared statements of one node:sqlite connection, cached by SQL text (preparing dominates the cost of a
 * point read), with the value conversions node:sqlite needs and plain-object rows.
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { CompiledQuery, QueryResult } from 'kysely';

const LIMIT = 500;

/** Converts values node:sqlite refuses (booleans, Dates, undefined, objects) into ones it binds. */
export function toSqliteValue(value: unknown): SQLInputValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string') return value;
  if (value instanceof Uint8Array) return value;
  return JSON.stringify(value);
}

interface Entry {
  readonly stmt: StatementSync;
  readonly reader: boolean;
}

/** Statement cache of one connection. */
export class StatementCache {
  readonly #db: DatabaseSync;
  readonly #cache = new Map<string, Entry>();
  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /** The cached statement for `sql`, preparing it on first use. */
  entry(sql: string): Entry {
    let entry = this.#cache.get(sql);
    if (entry === undefined) {
      const stmt = this.#db.prepare(sql);
      entry = { stmt, reader: stmt.columns().length > 0 };
      // Insertion-ordered Map: dropping the oldest keeps the cache bounded for ad-hoc SQL.
      if (this.#cache.size >= LIMIT) {
        const oldest = this.#cache.keys().next();
        if (oldest.done !== true) this.#cache.delete(oldest.value);
      }
      this.#cache.set(sql, entry);
    }
    return entry;
  }

  /** Runs a compiled query; rows come back as plain objects (node:sqlite's have a null prototype). */
  execute<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    try {
      const { stmt, reader } = this.entry(compiled.sql);
      const params = compiled.parameters.map(toSqliteValue);
      if (reader) return Promise.resolve({ rows: stmt.all(...params).map((r) => ({ ...r }) as R) });
      const { changes, lastInsertRowid } = stmt.run(...params);
      return Promise.resolve({ rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** First row of a reader statement, as a plain object. */
  first<R>(sql: string, parameters: readonly unknown[]): R | undefined {
    const row = this.entry(sql).stmt.get(...parameters.map(toSqliteValue));
    return row === undefined ? undefined : ({ ...row } as R);
  }

  /** Runs SQL without parameters (BEGIN, COMMIT …). */
  exec(sql: string): void {
    this.#db.exec(sql);
  }
}
