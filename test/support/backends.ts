/**
 * Which backends the data suites run against, and throwaway instances of each.
 *
 * `GALLEY_TEST_BACKENDS` picks them: `embedded` (default, `npm test`), `distributed` (`npm run test:distributed`,
 * PostgreSQL at DATABASE_URL or 127.0.0.1:5432/test and Redis at REDIS_URL or 127.0.0.1:6379), or `all`.
 * A distributed run fails loudly when either server is unreachable; it never skips.
 *
 * Isolation: each PostgreSQL store lives in a fresh schema, each Redis user in a fresh key prefix, so test files
 * can run in parallel against the same servers.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrateToLatest } from '../../src/data/migrations/migrator.ts';
import type { Store } from '../../src/data/store/port.ts';
import { openPostgresStore } from '../../src/data/store/postgres/postgresStore.ts';
import { openSqliteStore } from '../../src/data/store/sqlite/sqliteStore.ts';

/** A backend family: embedded = SQLite + in-process; distributed = PostgreSQL + Redis. */
export type Backend = 'embedded' | 'distributed';

/** PostgreSQL URL the distributed suites use. */
export const TEST_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Redis URL the distributed suites use. */
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function selected(): readonly Backend[] {
  const raw = process.env.GALLEY_TEST_BACKENDS ?? 'embedded';
  if (raw === 'all') return ['embedded', 'distributed'];
  if (raw === 'embedded' || raw === 'distributed') return [raw];
  throw new Error(`GALLEY_TEST_BACKENDS must be embedded, distributed or all, got "${raw}"`);
}

/** The backends this run covers; contract suites loop over it. */
export const BACKENDS: readonly Backend[] = selected();

/** A unique, lowercase identifier for schemas, prefixes and queue names. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** A migrated store plus the function that disposes of it (and its schema or files). */
export interface TestStore {
  readonly store: Store;
  /** SQLite file path, or the PostgreSQL URL. */
  readonly location: string;
  /** The PostgreSQL schema the store lives in (undefined on SQLite). */
  readonly schema: string | undefined;
  readonly cleanup: () => Promise<void>;
}

/** Opens a fresh, migrated store on the given backend. */
export async function openTestStore(backend: Backend): Promise<TestStore> {
  if (backend === 'embedded') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'galley-test-'));
    const location = path.join(dir, 'galley.db');
    const store = openSqliteStore({ filename: location });
    await migrateToLatest(store);
    return {
      store,
      location,
      schema: undefined,
      async cleanup() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = uniqueName('t');
  await withAdminClient((c) => c.query(`create schema ${schema}`));
  const store = openPostgresStore({ connectionString: TEST_DATABASE_URL, max: 5, schema });
  await migrateToLatest(store);
  return {
    store,
    location: TEST_DATABASE_URL,
    schema,
    async cleanup() {
      await store.close();
      await withAdminClient((c) => c.query(`drop schema ${schema} cascade`));
    },
  };
}

/**
 * Opens a fresh store on which nothing has been migrated (not even the ledger): a SQLite temp file, or a new
 * PostgreSQL schema. For tests of the migration runner itself.
 */
export async function openEmptyTestStore(backend: Backend): Promise<TestStore> {
  if (backend === 'embedded') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'galley-test-'));
    const location = path.join(dir, 'galley.db');
    const store = openSqliteStore({ filename: location });
    return {
      store,
      location,
      schema: undefined,
      async cleanup() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = uniqueName('t');
  await withAdminClient((c) => c.query(`create schema ${schema}`));
  const store = openPostgresStore({ connectionString: TEST_DATABASE_URL, max: 5, schema });
  return {
    store,
    location: TEST_DATABASE_URL,
    schema,
    async cleanup() {
      await store.close();
      await withAdminClient((c) => c.query(`drop schema ${schema} cascade`));
    },
  };
}

async function withAdminClient<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`distributed tests need PostgreSQL at ${TEST_DATABASE_URL}: ${String(error)}`);
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
