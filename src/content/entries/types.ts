/**
 * Public types of the entries domain: what use cases take and return, the events they record, and the strong
 * ETag helpers. Transports (HTTP, CLI, AI tools) import from here; they never see table rows.
 *
 * Versions. Every recorded change of an entry (create, patch, publish, unpublish, delete, restore, schedule) adds
 * one to `version`, and each version has a revision. The strong ETag is `"<id>.<version>"`, so any change that
 * alters the entry JSON changes the ETag.
 */

/** Draft only; published and unchanged since; or published with newer draft edits. */
export const ENTRY_STATUSES = ['draft', 'published', 'changed'] as const;
/** Lifecycle state of an entry's content relative to its published copy. */
export type EntryStatus = (typeof ENTRY_STATUSES)[number];

/** Field values by field name, as stored (canonical key order). Values are JSON: strings, numbers, booleans, string lists. */
export type EntryFields = Readonly<Record<string, unknown>>;

/** An entry as the domain returns it (current draft state). */
export interface Entry {
  readonly tenantId: string;
  readonly id: string;
  /** Content type name, e.g. `article`. */
  readonly type: string;
  readonly fields: EntryFields;
  readonly status: EntryStatus;
  /** Starts at 1; +1 per recorded change. */
  readonly version: number;
  /** Principal subject (user or service account id) that created the entry. */
  readonly authorId: string;
  /** Value of the type's slug field, when it has one and it is set. */
  readonly slug: string | null;
  /** Value of the type's title field (display), when set. */
  readonly title: string | null;
  /** Tags from the type's tags fields, deduplicated and sorted. */
  readonly tags: readonly string[];
  /** sha256 hex of the canonical fields JSON. */
  readonly contentHash: string;
  /** ISO-8601. */
  readonly createdAt: string;
  readonly updatedAt: string;
  /** When the entry was last published; null while not published. */
  readonly publishedAt: string | null;
  /** The version whose content is published; null while not published. */
  readonly publishedVersion: number | null;
  /** A pending scheduled publish time, or null. */
  readonly scheduledPublishAt: string | null;
}

/** Entry JSON as the API presents it (see presenters/entryPresenter.ts). */
export interface EntryJson {
  readonly id: string;
  /** The tenant label the caller addressed (slug in URLs). */
  readonly tenant: string;
  readonly type: string;
  readonly fields: EntryFields;
  readonly status: EntryStatus;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly publishedAt: string | null;
  readonly authorId: string;
  readonly publishedVersion: number | null;
  readonly scheduledPublishAt: string | null;
}

/** A published copy as the delivery side reads it (`published_entries`). */
export interface PublishedEntry {
  readonly tenantId: string;
  readonly id: string;
  readonly type: string;
  readonly slug: string | null;
  readonly title: string | null;
  readonly tags: readonly string[];
  readonly fields: EntryFields;
  /** The entry version that was published. */
  readonly version: number;
  readonly authorId: string;
  readonly createdAt: string;
  readonly publishedAt: string;
}

/** Names of the events entry use cases record. */
export const ENTRY_EVENTS = [
  'entry.created',
  'entry.updated',
  'entry.deleted',
  'entry.published',
  'entry.unpublished',
  'entry.restored',
  'entry.publish_scheduled',
] as const;
/** One entry event name. */
export type EntryEventName = (typeof ENTRY_EVENTS)[number];

/** Fields every entry event's `data` carries. */
export interface EntryEventBase {
  /** Who did it: `user:<id>`, `service:<id>` or `system`. */
  readonly actor: string;
  /** The entry id. */
  readonly entry: string;
  readonly type: string;
  /** The entry's version after this event. */
  readonly version: number;
  /** The entry's status after this event. */
  readonly status: EntryStatus;
  /** sha256 hex of the canonical fields JSON after this event. */
  readonly hash: string;
  /** Names of fields whose values this event changed (sorted; empty for lifecycle events). */
  readonly changed: readonly string[];
  /** When the change happened (ISO-8601): the entry's updatedAt, and publishedAt / deletedAt where they apply. */
  readonly at: string;
}

/** Derived values the use case computed with the content type at the time (so replay never needs the type). */
export interface EntryDerived {
  readonly slug: string | null;
  readonly title: string | null;
  readonly tags: readonly string[];
}

/** `entry.created`. */
export interface EntryCreatedData extends EntryEventBase, EntryDerived {
  readonly authorId: string;
  /** Every field value (canonical). */
  readonly fields: EntryFields;
}

/** `entry.updated`: a partial change. */
export interface EntryUpdatedData extends EntryEventBase, EntryDerived {
  /** New values of the fields set by the patch. */
  readonly set: EntryFields;
  /** Fields removed by the patch (sent as null). */
  readonly cleared: readonly string[];
}

/** `entry.restored`: the fields of an earlier revision become the new version. */
export interface EntryRestoredData extends EntryEventBase, EntryDerived {
  readonly fromVersion: number;
  readonly fields: EntryFields;
}

/** `entry.published`: the current fields become the published copy. */
export interface EntryPublishedData extends EntryEventBase {
  /** Equal to `version`. */
  readonly publishedVersion: number;
  /** Set when a scheduled publish job did it. */
  readonly scheduled?: boolean;
}

/** `entry.publish_scheduled`: `publishAt` null cancels a pending schedule. */
export interface EntryPublishScheduledData extends EntryEventBase {
  readonly publishAt: string | null;
}

/** `entry.deleted` and `entry.unpublished` carry only the base. */
export type EntryLifecycleData = EntryEventBase;

/** Event data by event name. */
export interface EntryEventDataMap {
  'entry.created': EntryCreatedData;
  'entry.updated': EntryUpdatedData;
  'entry.deleted': EntryLifecycleData;
  'entry.published': EntryPublishedData;
  'entry.unpublished': EntryLifecycleData;
  'entry.restored': EntryRestoredData;
  'entry.publish_scheduled': EntryPublishScheduledData;
}

/** One revision (a version of an entry and the event that made it). */
export interface Revision {
  readonly version: number;
  readonly event: EntryEventName;
  readonly actor: string;
  readonly status: EntryStatus;
  readonly fields: EntryFields;
  readonly contentHash: string;
  readonly changed: readonly string[];
  /** ISO-8601. */
  readonly createdAt: string;
}

/** Filters of an entry list; all optional and combined with AND. */
export interface EntryListFilters {
  readonly type?: string;
  readonly status?: EntryStatus;
  readonly tag?: string;
  /** Principal subject of the author. */
  readonly authorId?: string;
  /** Inclusive lower bound on updatedAt (ISO-8601). */
  readonly updatedFrom?: string;
  /** Exclusive upper bound on updatedAt (ISO-8601). */
  readonly updatedTo?: string;
}

/** A page of a list: `next` is an opaque cursor, or null on the last page. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly next: string | null;
  /** Present only when asked for: an estimate (from maintained statistics), never an exact count. */
  readonly estimatedCount?: number;
}

/** Largest page size of any list. */
export const MAX_PAGE_SIZE = 100;

/** The strong ETag of an entry version: `"<id>.<version>"` (quotes included). */
export function entryEtag(entry: { readonly id: string; readonly version: number }): string {
  return `"${entry.id}.${entry.version}"`;
}

/**
 * The version an `If-Match` / `If-None-Match` value names for entry `id`, or undefined when it names another
 * entry, is weak (`W/`), `*`, or is not an entry ETag. Only a single ETag is understood (lists are undefined).
 */
export function versionFromEtag(header: string, id: string): number | undefined {
  const match = /^"([^".]+)\.(\d{1,15})"$/.exec(header.trim());
  if (match === null || match[1] !== id) return undefined;
  const version = Number(match[2]);
  return Number.isSafeInteger(version) && version >= 1 ? version : undefined;
}

/** `user:<id>` / `service:<id>` (`system` for the system principal): the actor string events record. */
export function actorOf(principal: { readonly kind: 'user' | 'service'; readonly subject: string }): string {
  if (principal.kind === 'service' && principal.subject === 'system') return 'system';
  return `${principal.kind}:${principal.subject}`;
}
