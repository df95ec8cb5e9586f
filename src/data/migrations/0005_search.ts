/**
 * Search index tables (the search port). Both dialects get `search_docs` keyed by (tenant_id, id); the full-text
 * machinery differs:
 * - SQLite: an external-content FTS5 table `search_fts(meta, title, body)` over `search_docs`, kept in step by
 *   triggers. `search_docs.rid` is an explicit `integer primary key` (VACUUM may renumber an implicit rowid,
 *   which would silently break the external-content mapping). Each tenant owns a rowid range
 *   (`search_tenants.slot` × 2^32 onwards), so tenant isolation is a rowid range FTS5 seeks to rather than a
 *   token it would have to count on every query (bm25 counts each MATCH phrase's postings). `meta` holds one
 *   token per type, status and tag for the filters; those tokens start with U+0001, made a token character
 *   here and stripped from indexed text, so no title or body word can ever equal one.
 * - PostgreSQL: a stored generated `tsv` (title weight A, body weight B, `simple` config: no stemming or stop
 *   words, matching SQLite's unicode61), a GIN index on it, and btree indexes led by tenant_id.
 */
import { sql } from 'kysely';
import type { Migration } from './migration.ts';

export const migration: Migration = {
  async up(db, dialect) {
    if (dialect === 'sqlite') {
      await db.schema
        .createTable('search_tenants')
        .ifNotExists()
        .addColumn('tenant_id', 'text', (c) => c.primaryKey())
        .addColumn('slot', 'integer', (c) => c.notNull().unique())
        .execute();
      await db.schema
        .createTable('search_docs')
        .ifNotExists()
        .addColumn('rid', 'integer', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('tags', 'text', (c) => c.notNull())
        .addColumn('meta', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('search_docs_tenant_id_key', ['tenant_id', 'id'])
        .execute();
      await sql`create virtual table if not exists search_fts using fts5(
        meta, title, body,
        content='search_docs', content_rowid='rid',
        tokenize="unicode61 remove_diacritics 2 tokenchars '\u0001'"
      )`.execute(db);
      await sql`create trigger if not exists search_docs_ai after insert on search_docs begin
        insert into search_fts(rowid, meta, title, body) values (new.rid, new.meta, new.title, new.body);
      end`.execute(db);
      await sql`create trigger if not exists search_docs_ad after delete on search_docs begin
        insert into search_fts(search_fts, rowid, meta, title, body)
          values ('delete', old.rid, old.meta, old.title, old.body);
      end`.execute(db);
      await sql`create trigger if not exists search_docs_au after update of meta, title, body on search_docs begin
        insert into search_fts(search_fts, rowid, meta, title, body)
          values ('delete', old.rid, old.meta, old.title, old.body);
        insert into search_fts(rowid, meta, title, body) values (new.rid, new.meta, new.title, new.body);
      end`.execute(db);
      return;
    }
    await db.schema
      .createTable('search_docs')
      .ifNotExists()
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('tags', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('tsv', sql`tsvector`, (c) =>
        c
          .generatedAlwaysAs(sql`setweight(to_tsvector('simple'::regconfig, title), 'A') ||
          setweight(to_tsvector('simple'::regconfig, body), 'B')`)
          .stored(),
      )
      .addPrimaryKeyConstraint('search_docs_pkey', ['tenant_id', 'id'])
      .execute();
    await db.schema
      .createIndex('search_docs_tsv_idx')
      .ifNotExists()
      .on('search_docs')
      .using('gin')
      .column('tsv')
      .execute();
    await db.schema
      .createIndex('search_docs_tenant_type_status_idx')
      .ifNotExists()
      .on('search_docs')
      .columns(['tenant_id', 'type', 'status'])
      .execute();
  },
};
