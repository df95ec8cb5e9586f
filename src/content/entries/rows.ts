/**
 * Conversions between read-model rows and domain values. No row leaves the content domain unconverted.
 */
import type { Selectable } from 'kysely';
import type { EntriesTable, EntryRevisionsTable, PublishedEntriesTable } from './tables.ts';
import type { Entry, EntryFields, PublishedEntry, Revision } from './types.ts';

/** An `entries` row. */
export type EntryRow = Selectable<EntriesTable>;

function parseFields(json: string): EntryFields {
  return Object.freeze(JSON.parse(json) as Record<string, unknown>);
}

function parseList(json: string): readonly string[] {
  return Object.freeze(JSON.parse(json) as string[]);
}

/** The domain entry of a row. */
export function toEntry(row: EntryRow): Entry {
  return Object.freeze({
    tenantId: row.tenant_id,
    id: row.id,
    type: row.type,
    fields: parseFields(row.fields),
    status: row.status,
    version: row.version,
    authorId: row.author_id,
    slug: row.slug,
    title: row.title,
    tags: parseList(row.tags),
    contentHash: row.content_hash,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    publishedAt: row.published_at,
    publishedVersion: row.published_version,
    scheduledPublishAt: row.scheduled_publish_at,
  });
}

/** The published copy of a row. */
export function toPublishedEntry(row: Selectable<PublishedEntriesTable>): PublishedEntry {
  return Object.freeze({
    tenantId: row.tenant_id,
    id: row.id,
    type: row.type,
    slug: row.slug,
    title: row.title,
    tags: parseList(row.tags),
    fields: parseFields(row.fields),
    version: row.version,
    authorId: row.author_id,
    createdAt: row.created_at,
    publishedAt: row.published_at,
  });
}

/** The revision of a row. */
export function toRevision(row: Selectable<EntryRevisionsTable>): Revision {
  return Object.freeze({
    version: row.version,
    event: row.event,
    actor: row.actor,
    status: row.status,
    fields: parseFields(row.fields),
    contentHash: row.content_hash,
    changed: parseList(row.changed),
    createdAt: row.created_at,
  });
}
