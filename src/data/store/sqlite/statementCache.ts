/**
 * Prepared statements of one node:sqlite connection, cached by SQL text (preparing dominates the cost of a
 * point read), with the value conversions node:sqlite needs and plain-object rows.
 *
 * Rows: node:sqlite's row objects have a null prototype and are built key by key; copying them into plain objects
 * (`{ ...row }`) cost ~3 µs a row, more than reading it. Reader statements therefore return arrays, and a row
 * constructor generated once per statement from its column names turns each into a plain object of one shape.
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

/** Builds a plain row object from a row array, columns in statement order. */
type RowMaker = (values: readonly unknown[]) => Record<string, unknown>;

interface Entry {
  readonly stmt: StatementSync;
  /** Set for statements that return rows (their results come back as arrays). */
  readonly row: RowMaker | undefined;
}

/**
 * The row constructor for these column names: an object literal with the names as keys (later duplicates win, as
 * they did with node:sqlite's objects). Names are JSON-quoted, so any column name is a safe literal key; a
 * `__proto__` column would set the prototype in a literal, so such a statement assigns keys one by one instead.
 */
function rowMaker(names: readonly string[]): RowMaker {
  if (names.includes('__proto__')) {
    return (values) => {
      const row: Record<string, unknown> = {};
      names.forEach((name, i) => {
        Object.defineProperty(row, name, { value: values[i], enumerable: true, writable: true, configurable: true });
      });
      return row;
    };
  }
  const fields = names.map((name, i) => `${JSON.stringify(name)}: v[${i}]`).join(', ');
  return new Function('v', `return { ${fields} };`) as RowMaker;
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
      const columns = stmt.columns();
      if (columns.length > 0) stmt.setReturnArrays(true);
      entry = { stmt, row: columns.length > 0 ? rowMaker(columns.map((c) => c.name)) : undefined };
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
      const { stmt, row } = this.entry(compiled.sql);
      const params = compiled.parameters.map(toSqliteValue);
      if (row !== undefined) {
        const arrays = stmt.all(...params) as unknown as unknown[][];
        return Promise.resolve({ rows: arrays.map((values) => row(values) as R) });
      }
      const { changes, lastInsertRowid } = stmt.run(...params);
      return Promise.resolve({ rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** First row of a reader statement, as a plain object. */
  first<R>(sql: string, parameters: readonly unknown[]): R | undefined {
    const { stmt, row } = this.entry(sql);
    const values = stmt.get(...parameters.map(toSqliteValue)) as unknown as unknown[] | undefined;
    if (values === undefined) return undefined;
    if (row === undefined) throw new TypeError('first() needs a statement that returns rows');
    return row(values) as R;
  }

  /** Runs SQL without parameters (BEGIN, COMMIT …). */
  exec(sql: string): void {
    this.#db.exec(sql);
  }
}
