/**
 * The entry read models as a projection of the entry events: `entries`, `published_entries`, `entry_revisions`,
 * `entry_tags` and `tenant_content_stats`. The use cases apply it inline, in the transaction that appends the
 * event; `galley projections rebuild` applies the very same function to the `content_rebuild_*` twins (through
 * TableRenamePlugin), so the live models and a replay cannot drift apart.
 *
 * Determinism: a row depends only on the previous row and the event (times come from the event's `at`, derived values
 * such as slug, title and tags from the event data, JSON is canonical), so a replay reproduces every row exactly.
 *
 * Each event moves the entry from version n − 1 to n; the UPDATE names version n − 1 and a row that is not there
 * raises ProjectionConflict. Inline, that is the optimistic check against a write that committed in between.
 */
import type { Kysely } from 'kysely';
import type { NewEvent } from '../../data/events/port.ts';
import { canonicalJson } from '../entries/canonical.ts';
import type { EntryRow } from '../entries/rows.ts';
import { type ContentTables, contentDb, type StatsDimension } from '../entries/tables.ts';
import type {
  EntryCreatedData,
  EntryEventBase,
  EntryEventName,
  EntryFields,
  EntryPublishScheduledData,
  EntryRestoredData,
  EntryStatus,
  EntryUpdatedData,
} from '../entries/types.ts';
import { ENTRY_EVENTS } from '../entries/types.ts';
import { insertEntry, insertRevision, touchTags, updateEntry } from './entryStatements.ts';

/** The entry is not at the version the event follows (a concurrent write won, or the log is inconsistent). */
export class ProjectionConflict extends Error {
  readonly entryId: string;
  constructor(entryId: string, expectedPrior: number) {
    super(`entry ${entryId} is not at version ${expectedPrior}`);
    this.name = 'ProjectionConflict';
    this.entryId = entryId;
  }
}

/** True for the names this projection handles. */
export function isEntryEvent(name: string): name is EntryEventName {
  return (ENTRY_EVENTS as readonly string[]).includes(name);
}

/** The entry row after `event`, given the row before it (null before `entry.created`). */
export function nextEntryRow(prior: EntryRow | null, event: NewEvent): EntryRow {
  const name = event.name as EntryEventName;
  const base = event.data as EntryEventBase;
  const at = base.at;
  if (name === 'entry.created') {
    const d = event.data as EntryCreatedData;
    return {
      tenant_id: event.tenantId,
      id: d.entry,
      type: d.type,
      slug: d.slug,
      title: d.title,
      tags: JSON.stringify(d.tags),
      fields: canonicalJson(d.fields),
      content_hash: d.hash,
      status: d.status,
      version: d.version,
      author_id: d.authorId,
      created_at: at,
      updated_at: at,
      published_at: null,
      published_version: null,
      scheduled_publish_at: null,
      deleted_at: null,
    };
  }
  if (prior === null) throw new ProjectionConflict(base.entry, base.version - 1);
  const next: EntryRow = { ...prior, version: base.version, status: base.status, updated_at: at };
  switch (name) {
    case 'entry.updated': {
      const d = event.data as EntryUpdatedData;
      const fields: Record<string, unknown> = JSON.parse(prior.fields) as Record<string, unknown>;
      for (const key of d.cleared) delete fields[key];
      Object.assign(fields, d.set);
      return { ...next, ...derivedColumns(d), fields: canonicalJson(fields), content_hash: d.hash };
    }
    case 'entry.restored': {
      const d = event.data as EntryRestoredData;
      return { ...next, ...derivedColumns(d), fields: canonicalJson(d.fields), content_hash: d.hash };
    }
    case 'entry.published':
      return { ...next, published_at: at, published_version: base.version, scheduled_publish_at: null };
    case 'entry.unpublished':
      return { ...next, published_at: null, published_version: null, scheduled_publish_at: null };
    case 'entry.publish_scheduled':
      return { ...next, scheduled_publish_at: (event.data as EntryPublishScheduledData).publishAt };
    case 'entry.deleted':
      return { ...next, deleted_at: at, scheduled_publish_at: null };
    default:
      throw new Error(`not an entry event: ${event.name}`);
  }
}

function derivedColumns(d: { slug: string | null; title: string | null; tags: readonly string[] }) {
  return { slug: d.slug, title: d.title, tags: JSON.stringify(d.tags) };
}

function live(row: EntryRow | null): row is EntryRow {
  return row !== null && row.deleted_at === null;
}

function tagsOf(row: EntryRow | null): string[] {
  return live(row) ? (JSON.parse(row.tags) as string[]) : [];
}

/** What a row contributes to the stats: one count per (dimension, key). */
function contributions(row: EntryRow | null): string[] {
  if (!live(row)) return [];
  return [
    `type_status\u0000${row.type}|${row.status}`,
    `author\u0000${row.author_id}`,
    ...tagsOf(row).map((t) => `tag\u0000${t}`),
  ];
}

async function writeStats(db: Kysely<ContentTables>, tenantId: string, prior: EntryRow | null, next: EntryRow) {
  const delta = new Map<string, number>();
  for (const k of contributions(prior)) delta.set(k, (delta.get(k) ?? 0) - 1);
  for (const k of contributions(next)) delta.set(k, (delta.get(k) ?? 0) + 1);
  // Key order: concurrent writers of a tenant lock its statistics rows in the same order (no deadlock).
  const rows = [...delta]
    .filter(([, n]) => n !== 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, n]) => {
      const [dimension, key] = k.split('\u0000') as [StatsDimension, string];
      return { tenant_id: tenantId, dimension, key, entries: n };
    });
  if (rows.length === 0) return;
  await db
    .insertInto('tenant_content_stats')
    .values(rows)
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'dimension', 'key'])
        .doUpdateSet((eb) => ({ entries: eb('tenant_content_stats.entries', '+', eb.ref('excluded.entries')) })),
    )
    .execute();
}

async function writeTags(db: Kysely<ContentTables>, prior: EntryRow | null, next: EntryRow) {
  const before = new Set(tagsOf(prior));
  const after = tagsOf(next);
  const removed = [...before].filter((t) => !after.includes(t));
  const added = after.filter((t) => !before.has(t));
  const kept = after.filter((t) => before.has(t));
  const scope = { tenant: next.tenant_id, entry: next.id };
  if (removed.length > 0) {
    await db
      .deleteFrom('entry_tags')
      .where('tenant_id', '=', scope.tenant)
      .where('entry_id', '=', scope.entry)
      .where('tag', 'in', removed)
      .execute();
  }
  if (kept.length > 0 && prior?.updated_at !== next.updated_at) {
    await touchTags.execute(db, { tenant_id: scope.tenant, entry_id: scope.entry, updated_at: next.updated_at });
  }
  if (added.length > 0) {
    await db
      .insertInto('entry_tags')
      .values(
        added.map((tag) => ({ tenant_id: scope.tenant, entry_id: scope.entry, tag, updated_at: next.updated_at })),
      )
      .execute();
  }
}

async function writePublished(db: Kysely<ContentTables>, name: EntryEventName, next: EntryRow) {
  if (name === 'entry.published' && next.published_at !== null && next.published_version !== null) {
    const copy = {
      type: next.type,
      slug: next.slug,
      title: next.title,
      tags: next.tags,
      fields: next.fields,
      content_hash: next.content_hash,
      version: next.published_version,
      author_id: next.author_id,
      created_at: next.created_at,
      published_at: next.published_at,
    };
    await db
      .insertInto('published_entries')
      .values({ tenant_id: next.tenant_id, id: next.id, ...copy })
      .onConflict((oc) => oc.columns(['tenant_id', 'id']).doUpdateSet(copy))
      .execute();
  } else if (name === 'entry.unpublished' || name === 'entry.deleted') {
    await db
      .deleteFrom('published_entries')
      .where('tenant_id', '=', next.tenant_id)
      .where('id', '=', next.id)
      .execute();
  }
}

async function writeEntry(db: Kysely<ContentTables>, prior: EntryRow | null, next: EntryRow) {
  if (prior === null) {
    await insertEntry.execute(db, next);
    return;
  }
  const result = await updateEntry.execute(db, { ...next, prior_version: next.version - 1 });
  if (result.numAffectedRows !== 1n) throw new ProjectionConflict(next.id, next.version - 1);
}

/** Reads the entry row an event applies to (any state, deleted included) through `db`. */
export async function readEntryRow(db: Kysely<ContentTables>, tenantId: string, id: string): Promise<EntryRow | null> {
  const row = await db
    .selectFrom('entries')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row ?? null;
}

/**
 * Applies one entry event to the read models through `trx` and returns the entry row after it. `prior` is the row
 * before the event when the caller has already read it (inline writes); otherwise it is read through `trx`.
 */
export async function applyEntryEvent(
  trx: Kysely<unknown>,
  event: NewEvent,
  prior?: EntryRow | null,
): Promise<EntryRow> {
  const db = contentDb(trx);
  const base = event.data as EntryEventBase;
  const before =
    prior !== undefined
      ? prior
      : event.name === 'entry.created'
        ? null
        : await readEntryRow(db, event.tenantId, base.entry);
  const next = nextEntryRow(before, event);
  await writeEntry(db, before, next);
  await insertRevision.execute(db, {
    tenant_id: next.tenant_id,
    entry_id: next.id,
    version: next.version,
    event: event.name as EntryEventName,
    actor: event.actor,
    status: next.status as EntryStatus,
    fields: next.fields,
    content_hash: next.content_hash,
    changed: JSON.stringify(base.changed),
    created_at: base.at,
  });
  await writeTags(db, before, next);
  await writePublished(db, event.name as EntryEventName, next);
  await writeStats(db, event.tenantId, before, next);
  return next;
}

/** The parsed fields of a row. */
export function rowFields(row: EntryRow): EntryFields {
  return JSON.parse(row.fields) as EntryFields;
}
