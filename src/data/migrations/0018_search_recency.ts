/**
 * Search recency index (PostgreSQL only). The PostgreSQL search adapter ranks matches in windows of the newest
 * matches (postgres-fts/postgresSearch.ts), so it needs the tenant's documents in (updated_at, id) order: a
 * common term walks this index backwards and stops after one window, instead of ranking every match. SQLite
 * orders its windows by rowid and needs nothing new.
 */
import type { Migration } from './migration.ts';

export const migration: Migration = {
  dialects: ['postgres'],
  async up(db, dialect) {
    if (dialect !== 'postgres') return;
    await db.schema
      .createIndex('search_docs_newest_idx')
      .ifNotExists()
      .on('search_docs')
      .columns(['tenant_id', 'updated_at', 'id'])
      .execute();
  },
};
