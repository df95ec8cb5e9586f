/**
 * Embedded store adapter: one SQLite database file in WAL mode, opened twice — a write connection (transactions
 * and writes) and a read connection (plain SELECTs), see nodeSqliteDriver.ts. `synchronous=NORMAL` in WAL mode
 * keeps every committed transaction across a process crash (kill -9; proven by crash.test.ts); only an OS crash or
 * power loss can drop the last commits.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { type Compilable, Kysely, sql } from 'kysely';
import type { PreparedRead, Store } from '../port.ts';
import { isPreparableRead } from '../readQuery.ts';
import type { Database } from '../schema.ts';
import { nodeSqliteDialect } from './nodeSqliteDriver.ts';
import { WalCheckpointer } from './walCheckpointer.ts';

/** Options of the embedded store. */
export interface SqliteStoreOptions {
  /** Database file path, or ':memory:' for a throwaway single-connection database. */
  readonly filename: string;
}

function open(filename: string, readOnly: boolean): DatabaseSync {
  const db = new DatabaseSync(filename, { enableForeignKeyConstraints: true, timeout: 5000, readOnly });
  if (!readOnly) {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
  }
  db.exec('PRAGMA temp_store = MEMORY');
  db.exec('PRAGMA cache_size = -65536');
  return db;
}

/** Opens (creating if needed) the embedded SQLite store. */
export function openSqliteStore(options: SqliteStoreOptions): Store {
  const memory = options.filename === ':memory:';
  if (!memory) mkdirSync(path.dirname(options.filename), { recursive: true });
  const writeDb = open(options.filename, false);
  // The write connection created the file and switched it to WAL; only then can a read-only connection open it.
  const readDb = memory ? writeDb : open(options.filename, true);
  const { dialect, driver } = nodeSqliteDialect(writeDb, readDb);
  // Checkpoints off the event loop once the store is busy (walCheckpointer.ts); none for a memory database.
  const checkpointer = memory ? undefined : new WalCheckpointer({ filename: options.filename, writeDb });
  if (checkpointer !== undefined) driver.onCommit = () => checkpointer.committed();
  const db = new Kysely<Database>({ dialect });
  return {
    dialect: 'sqlite',
    db,
    prepare<Row>(query: Compilable<Row>): PreparedRead<Row> {
      const compiled = query.compile();
      if (!isPreparableRead(compiled)) throw new TypeError('prepare() takes SELECT queries only');
      const text = compiled.sql;
      return {
        first: async (parameters) => driver.read.first<Row>(text, parameters),
        all: async (parameters) => (await driver.read.execute<Row>({ ...compiled, parameters })).rows,
      };
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await checkpointer?.close();
      await db.destroy();
    },
  };
}
