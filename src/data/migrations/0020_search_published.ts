/**
 * The published-copies search index: the same tables as `search_docs` (migration 0005, and 0018's recency index
 * on PostgreSQL), named `search_published*`, holding the *published* copy of every published entry. The delivery
 * API searches it, so an entry whose draft has unpublished edits stays findable by its published text, and
 * unpublished text can never surface in a public hit or snippet.
 *
 * Backfill: an entry whose status is `published` has a current document equal to its published copy, so those
 * documents are copied over (same rowid on SQLite, inside the tenant's range). Entries with unpublished changes
 * get their published document on their next publish, or from `galley projections rebuild`.
 */
import { sql } from 'kysely';
import type { Migration } from './migration.ts';

export const migration: Migration = {
  async up(db, dialect) {
    if (dialect === 'sqlite') {
      await db.schema
        .createTable('search_published')
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
        .addUniqueConstraint('search_published_tenant_id_key', ['tenant_id', 'id'])
        .execute();
      await sql`create virtual table if not exists search_published_fts using fts5(
        meta, title, body,
        content='search_published', content_rowid='rid',
        tokenize="unicode61 remove_diacritics 2 tokenchars '\u0001'"
      )`.execute(db);
      await sql`create trigger if not exists search_published_ai after insert on search_published begin
        insert into search_published_fts(rowid, meta, title, body) values (new.rid, new.meta, new.title, new.body);
      end`.execute(db);
      await sql`create trigger if not exists search_published_ad after delete on search_published begin
        insert into search_published_fts(search_published_fts, rowid, meta, title, body)
          values ('delete', old.rid, old.meta, old.title, old.body);
      end`.execute(db);
      await sql`create trigger if not exists search_published_au after update of meta, title, body on search_published begin
        insert into search_published_fts(search_published_fts, rowid, meta, title, body)
          values ('delete', old.rid, old.meta, old.title, old.body);
        insert into search_published_fts(rowid, meta, title, body) values (new.rid, new.meta, new.title, new.body);
      end`.execute(db);
      await sql`insert into search_published (rid, tenant_id, id, type, status, tags, meta, title, body, updated_at)
        select rid, tenant_id, id, type, status, tags, meta, title, body, updated_at
        from search_docs where status = 'published'`.execute(db);
      return;
    }
    await db.schema
      .createTable('search_published')
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
      .addPrimaryKeyConstraint('search_published_pkey', ['tenant_id', 'id'])
      .execute();
    await db.schema
      .createIndex('search_published_tsv_idx')
      .ifNotExists()
      .on('search_published')
      .using('gin')
      .column('tsv')
      .execute();
    await db.schema
      .createIndex('search_published_tenant_type_status_idx')
      .ifNotExists()
      .on('search_published')
      .columns(['tenant_id', 'type', 'status'])
      .execute();
    await db.schema
      .createIndex('search_published_newest_idx')
      .ifNotExists()
      .on('search_published')
      .columns(['tenant_id', 'updated_at', 'id'])
      .execute();
    await sql`insert into search_published (tenant_id, id, type, status, tags, title, body, updated_at)
      select tenant_id, id, type, status, tags, title, body, updated_at
      from search_docs where status = 'published'`.execute(db);
  },
};
