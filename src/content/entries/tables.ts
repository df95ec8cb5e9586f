/**
 * Row types of the content tables (migration 0010). `content_types` is the write model of type definitions; the
 * other five are read models, projections of the entry events (projections/entryProjection.ts), and each has a
 * `content_rebuild_*` twin of identical shape that `galley projections rebuild` replays into.
 *
 * JSON columns hold text (canonical JSON, see canonical.ts) on both dialects so rows compare equal across backends
 * and between a live table and its rebuilt twin.
 */
import type { Kysely, Transaction } from 'kysely';
import type { EntryEventName, EntryStatus } from './types.ts';

/** A tenant's content type definition. */
export interface ContentTypesTable {
  tenant_id: string;
  name: string;
  label: string;
  /** JSON array of FieldDefinition. */
  fields: string;
  title_field: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

/** The current (draft) state of every entry; soft-deleted rows keep `deleted_at`. */
export interface EntriesTable {
  tenant_id: string;
  id: string;
  type: string;
  slug: string | null;
  title: string | null;
  /** JSON array of strings, sorted. */
  tags: string;
  /** Canonical JSON object. */
  fields: string;
  content_hash: string;
  status: EntryStatus;
  version: number;
  author_id: string;
  created_at: string;
  updated_at: string;
  published_at: string | null;
  published_version: number | null;
  scheduled_publish_at: string | null;
  deleted_at: string | null;
}

/** The published copy of each published entry (what the delivery API serves). */
export interface PublishedEntriesTable {
  tenant_id: string;
  id: string;
  type: string;
  slug: string | null;
  title: string | null;
  tags: string;
  fields: string;
  content_hash: string;
  version: number;
  author_id: string;
  created_at: string;
  published_at: string;
}

/** One row per entry version. */
export interface EntryRevisionsTable {
  tenant_id: string;
  entry_id: string;
  version: number;
  event: EntryEventName;
  actor: string;
  status: EntryStatus;
  fields: string;
  content_hash: string;
  /** JSON array of changed field names. */
  changed: string;
  created_at: string;
}

/** Tag membership of live entries, keyed for "newest entries with tag X". */
export interface EntryTagsTable {
  tenant_id: string;
  entry_id: string;
  tag: string;
  updated_at: string;
}

/** Maintained counts of live entries per dimension (never a COUNT(*) on the hot path). */
export interface TenantContentStatsTable {
  tenant_id: string;
  /** `type_status` (key `<type>|<status>`), `tag` (key = tag) or `author` (key = author id). */
  dimension: StatsDimension;
  key: string;
  entries: number;
}

/** Dimensions of tenant_content_stats. */
export type StatsDimension = 'type_status' | 'tag' | 'author';

/** The content schema (a type alias: `withTables` needs an index-compatible object type). */
export type ContentTables = {
  content_types: ContentTypesTable;
  entries: EntriesTable;
  published_entries: PublishedEntriesTable;
  entry_revisions: EntryRevisionsTable;
  entry_tags: EntryTagsTable;
  tenant_content_stats: TenantContentStatsTable;
};

/** Read-model tables rebuilt from the log, in the order the rebuild copies them. */
export const READ_MODEL_TABLES = [
  'entries',
  'published_entries',
  'entry_revisions',
  'entry_tags',
  'tenant_content_stats',
] as const;
/** One rebuildable read-model table. */
export type ReadModelTable = (typeof READ_MODEL_TABLES)[number];

/** Name of a read model's rebuild twin. */
export function rebuildTableOf(table: ReadModelTable): string {
  return `content_rebuild_${table}`;
}

/** Any Kysely instance or transaction, typed over the content tables (the schema parameter is invariant). */
export function contentDb<DB>(db: Kysely<DB> | Transaction<DB>): Kysely<ContentTables> {
  return (db as unknown as Kysely<unknown>).withTables<ContentTables>();
}
