/**
 * The embedded `kv` port's table. Values are strings (counters are integer strings); `expires_at` is epoch
 * milliseconds or null for "never", indexed so the periodic sweep deletes expired rows without a scan.
 * Portable to both dialects, though only the SQLite adapter uses it (distributed kv lives in Redis).
 */
import type { Migration } from './migration.ts';

/** Creates `kv_entries` and its partial expiry index. */
export const migration: Migration = {
  async up(db) {
    await db.schema
      .createTable('kv_entries')
      .ifNotExists()
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint')
      .execute();
    await db.schema
      .createIndex('kv_entries_expires_at_idx')
      .ifNotExists()
      .on('kv_entries')
      .column('expires_at')
      .where('expires_at', 'is not', null)
      .execute();
  },
};
