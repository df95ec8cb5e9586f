/**
 * Presenters: domain values to API JSON. No row or domain object leaves the server unpresented.
 */

import type { Entry, EntryJson, PublishedEntry, Revision } from '../entries/types.ts';
import type { ContentType, FieldDefinition } from '../types/types.ts';

/** The API JSON of an entry; `tenant` is the label the caller addressed the tenant by (its slug in URLs). */
export function presentEntry(entry: Entry, tenant: string): EntryJson {
  return {
    id: entry.id,
    tenant,
    type: entry.type,
    fields: entry.fields,
    status: entry.status,
    version: entry.version,
    createdAt: entry.createdAt,
    updatedAt: entry.updatedAt,
    publishedAt: entry.publishedAt,
    authorId: entry.authorId,
    publishedVersion: entry.publishedVersion,
    scheduledPublishAt: entry.scheduledPublishAt,
  };
}

/** API JSON of a published copy (delivery API). */
export interface PublishedEntryJson {
  readonly id: string;
  readonly tenant: string;
  readonly type: string;
  readonly slug: string | null;
  readonly fields: PublishedEntry['fields'];
  readonly version: number;
  readonly createdAt: string;
  readonly publishedAt: string;
}

/** The delivery JSON of a published copy. */
export function presentPublishedEntry(entry: PublishedEntry, tenant: string): PublishedEntryJson {
  return {
    id: entry.id,
    tenant,
    type: entry.type,
    slug: entry.slug,
    fields: entry.fields,
    version: entry.version,
    createdAt: entry.createdAt,
    publishedAt: entry.publishedAt,
  };
}

/** API JSON of a revision. */
export interface RevisionJson {
  readonly version: number;
  readonly event: Revision['event'];
  readonly actor: string;
  readonly status: Revision['status'];
  readonly fields: Revision['fields'];
  readonly contentHash: string;
  readonly changed: readonly string[];
  readonly createdAt: string;
}

/** The API JSON of a revision. */
export function presentRevision(revision: Revision): RevisionJson {
  return { ...revision };
}

/** API JSON of a content type. */
export interface ContentTypeJson {
  readonly name: string;
  readonly label: string;
  readonly fields: readonly FieldDefinition[];
  readonly titleField: string | null;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The API JSON of a content type. */
export function presentContentType(type: ContentType): ContentTypeJson {
  return {
    name: type.name,
    label: type.label,
    fields: type.fields,
    titleField: type.titleField,
    version: type.version,
    createdAt: type.createdAt,
    updatedAt: type.updatedAt,
  };
}
