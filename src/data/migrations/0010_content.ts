/**
 * Content: type definitions, entry read models and their rebuild twins (src/content).
 *
 * - `content_types` is the write model of each tenant's type definitions.
 * - `entries`, `published_entries`, `entry_revisions`, `entry_tags`, `tenant_content_stats` are projections of the
 *   entry events, applied in the writing transaction and rebuildable from the log.
 * - `content_rebuild_<table>` has the same columns in the same order, so `galley projections rebuild` can replay
 *   into it and compare with EXCEPT; it carries only its primary key.
 *
 * Indexes follow the access patterns, tenant first: newest lists by (updated_at, id) per tenant and per type,
 * status or author (partial: live rows only), "newest with tag X" on entry_tags, slug lookups, and the delivery
 * side's newest-published lists. Timestamps are ISO-8601 text; counters are bigint.
 */
import { type Kysely, sql } from 'kysely';
import type { Migration } from './migration.ts';

type ColumnSpec = readonly [name: string, type: 'text' | 'bigint', notNull: boolean];

const ENTRY_COLUMNS: readonly ColumnSpec[] = [
  ['tenant_id', 'text', true],
  ['id', 'text', true],
  ['type', 'text', true],
  ['slug', 'text', false],
  ['title', 'text', false],
  ['tags', 'text', true],
  ['fields', 'text', true],
  ['content_hash', 'text', true],
  ['status', 'text', true],
  ['version', 'bigint', true],
  ['author_id', 'text', true],
  ['created_at', 'text', true],
  ['updated_at', 'text', true],
  ['published_at', 'text', false],
  ['published_version', 'bigint', false],
  ['scheduled_publish_at', 'text', false],
  ['deleted_at', 'text', false],
];

const PUBLISHED_COLUMNS: readonly ColumnSpec[] = [
  ['tenant_id', 'text', true],
  ['id', 'text', true],
  ['type', 'text', true],
  ['slug', 'text', false],
  ['title', 'text', false],
  ['tags', 'text', true],
  ['fields', 'text', true],
  ['content_hash', 'text', true],
  ['version', 'bigint', true],
  ['author_id', 'text', true],
  ['created_at', 'text', true],
  ['published_at', 'text', true],
];

const REVISION_COLUMNS: readonly ColumnSpec[] = [
  ['tenant_id', 'text', true],
  ['entry_id', 'text', true],
  ['version', 'bigint', true],
  ['event', 'text', true],
  ['actor', 'text', true],
  ['status', 'text', true],
  ['fields', 'text', true],
  ['content_hash', 'text', true],
  ['changed', 'text', true],
  ['created_at', 'text', true],
];

const TAG_COLUMNS: readonly ColumnSpec[] = [
  ['tenant_id', 'text', true],
  ['entry_id', 'text', true],
  ['tag', 'text', true],
  ['updated_at', 'text', true],
];

const STATS_COLUMNS: readonly ColumnSpec[] = [
  ['tenant_id', 'text', true],
  ['dimension', 'text', true],
  ['key', 'text', true],
  ['entries', 'bigint', true],
];

/** The read models: table, columns, primary key. */
const READ_MODELS: ReadonlyArray<readonly [string, readonly ColumnSpec[], readonly string[]]> = [
  ['entries', ENTRY_COLUMNS, ['tenant_id', 'id']],
  ['published_entries', PUBLISHED_COLUMNS, ['tenant_id', 'id']],
  ['entry_revisions', REVISION_COLUMNS, ['tenant_id', 'entry_id', 'version']],
  ['entry_tags', TAG_COLUMNS, ['tenant_id', 'entry_id', 'tag']],
  ['tenant_content_stats', STATS_COLUMNS, ['tenant_id', 'dimension', 'key']],
];

async function createTable(
  db: Kysely<unknown>,
  name: string,
  columns: readonly ColumnSpec[],
  key: readonly string[],
): Promise<void> {
  let table = db.schema.createTable(name).ifNotExists();
  for (const [column, type, notNull] of columns) {
    table = table.addColumn(column, type, (c) => (notNull ? c.notNull() : c));
  }
  // Columns were added in a loop, so the builder cannot know their names; the list above is the source of truth.
  await table.addPrimaryKeyConstraint(`${name}_pkey`, [...key] as never[]).execute();
}

async function index(
  db: Kysely<unknown>,
  name: string,
  table: string,
  columns: readonly string[],
  options: { unique?: boolean; liveOnly?: boolean; slugOnly?: boolean } = {},
): Promise<void> {
  let builder = db.schema
    .createIndex(name)
    .ifNotExists()
    .on(table)
    .columns([...columns]);
  if (options.unique === true) builder = builder.unique();
  if (options.liveOnly === true && options.slugOnly === true) {
    builder = builder.where(sql.raw<boolean>('deleted_at is null and slug is not null'));
  } else if (options.liveOnly === true) {
    builder = builder.where(sql.raw<boolean>('deleted_at is null'));
  }
  await builder.execute();
}

export const migration: Migration = {
  async up(db) {
    await db.schema
      .createTable('content_types')
      .ifNotExists()
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('label', 'text', (c) => c.notNull())
      .addColumn('fields', 'text', (c) => c.notNull())
      .addColumn('title_field', 'text')
      .addColumn('version', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('content_types_pkey', ['tenant_id', 'name'])
      .execute();

    for (const [name, columns, key] of READ_MODELS) {
      await createTable(db, name, columns, key);
      await createTable(db, `content_rebuild_${name}`, columns, key);
    }

    const live = { liveOnly: true };
    await index(db, 'entries_newest_idx', 'entries', ['tenant_id', 'updated_at', 'id'], live);
    await index(db, 'entries_type_newest_idx', 'entries', ['tenant_id', 'type', 'updated_at', 'id'], live);
    await index(db, 'entries_status_newest_idx', 'entries', ['tenant_id', 'status', 'updated_at', 'id'], live);
    await index(db, 'entries_author_newest_idx', 'entries', ['tenant_id', 'author_id', 'updated_at', 'id'], live);
    // Slugs are unique per type among live entries; slug first so a lookup without the type uses it too.
    await index(db, 'entries_slug_key', 'entries', ['tenant_id', 'slug', 'type'], {
      unique: true,
      liveOnly: true,
      slugOnly: true,
    });
    await index(db, 'entry_tags_newest_idx', 'entry_tags', ['tenant_id', 'tag', 'updated_at', 'entry_id']);
    await index(db, 'published_entries_newest_idx', 'published_entries', ['tenant_id', 'published_at', 'id']);
    await index(db, 'published_entries_type_newest_idx', 'published_entries', [
      'tenant_id',
      'type',
      'published_at',
      'id',
    ]);
    await index(db, 'published_entries_slug_idx', 'published_entries', ['tenant_id', 'slug']);
  },
};
