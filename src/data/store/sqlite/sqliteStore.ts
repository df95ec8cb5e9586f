/**
 * Embedded store adapter: one node:sqlite database file in WAL mode. `synchronous=NORMAL` in WAL mode keeps
 * every committed transaction across a process crash (kill -9); only a power loss can drop the last commits,
 * which `GALLEY_SQLITE_SYNCHRONOUS=FULL`-style hardening can address later if a deployment needs it.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Kysely, sql } from 'kysely';
import type { Store } from '../port.ts';
import type { Database } from '../schema.ts';
import { nodeSqliteDialect } from './nodeSqliteDialect.ts';

/** Options of the embedded store. */
export interface SqliteStoreOptions {
  /** Database file path, or ':memory:' for a throwaway database. */
  readonly filename: string;
}

/** Opens (creating if needed) the embedded SQLite store. */
export function openSqliteStore(options: SqliteStoreOptions): Store {
  if (options.filename !== ':memory:') mkdirSync(path.dirname(options.filename), { recursive: true });
  const database = new DatabaseSync(options.filename, { enableForeignKeyConstraints: true, timeout: 5000 });
  database.exec('PRAGMA journal_mode = WAL');
  database.exec('PRAGMA synchronous = NORMAL');
  database.exec('PRAGMA busy_timeout = 5000');
  database.exec('PRAGMA temp_store = MEMORY');
  database.exec('PRAGMA cache_size = -65536');
  const db = new Kysely<Database>({ dialect: nodeSqliteDialect(database) });
  return {
    dialect: 'sqlite',
    db,
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await db.destroy();
    },
  };
}
