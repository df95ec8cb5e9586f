/**
 * The statements every entry write runs, as prepared writes (data/store/preparedWrite.ts): built and compiled once,
 * run through the writing transaction (and so through the rebuild's table renames, when the projection replays).
 */
import type { Insertable } from 'kysely';
import { PreparedWrite } from '../../data/store/preparedWrite.ts';
import type { EntryRow } from '../entries/rows.ts';
import type { ContentTables, EntryRevisionsTable } from '../entries/tables.ts';

// Every column but the key, listed once so the prepared statements below name them all (the Record type makes the
// compiler check the list against the table).
const ENTRY_VALUE_COLUMNS: Record<Exclude<keyof EntryRow, 'tenant_id' | 'id'>, true> = {
  type: true,
  slug: true,
  title: true,
  tags: true,
  fields: true,
  content_hash: true,
  status: true,
  version: true,
  author_id: true,
  created_at: true,
  updated_at: true,
  published_at: true,
  published_version: true,
  scheduled_publish_at: true,
  deleted_at: true,
};
const VALUE_COLUMNS = Object.keys(ENTRY_VALUE_COLUMNS) as (keyof typeof ENTRY_VALUE_COLUMNS)[];

/** Inserts a new entry row (entry.created). */
export const insertEntry = new PreparedWrite<ContentTables, EntryRow>((db, slot) =>
  db
    .insertInto('entries')
    .values(
      Object.fromEntries(['tenant_id', 'id', ...VALUE_COLUMNS].map((c) => [c, slot(c as keyof EntryRow)])) as EntryRow,
    ),
);

/** Replaces an entry row that is still at `prior_version` and not deleted; 0 rows affected means it was not. */
export const updateEntry = new PreparedWrite<ContentTables, EntryRow & { prior_version: number }>((db, slot) =>
  db
    .updateTable('entries')
    .set(Object.fromEntries(VALUE_COLUMNS.map((c) => [c, slot(c)])) as Omit<EntryRow, 'tenant_id' | 'id'>)
    .where('tenant_id', '=', slot('tenant_id'))
    .where('id', '=', slot('id'))
    .where('version', '=', slot('prior_version'))
    .where('deleted_at', 'is', null),
);

type RevisionValues = Insertable<EntryRevisionsTable>;

/** Appends the revision an event made. */
export const insertRevision = new PreparedWrite<ContentTables, Required<RevisionValues>>((db, slot) =>
  db.insertInto('entry_revisions').values({
    tenant_id: slot('tenant_id'),
    entry_id: slot('entry_id'),
    version: slot('version'),
    event: slot('event'),
    actor: slot('actor'),
    status: slot('status'),
    fields: slot('fields'),
    content_hash: slot('content_hash'),
    changed: slot('changed'),
    created_at: slot('created_at'),
  }),
);

/** Moves the times of an entry's tags (every save of a tagged entry). */
export const touchTags = new PreparedWrite<ContentTables, { tenant_id: string; entry_id: string; updated_at: string }>(
  (db, slot) =>
    db
      .updateTable('entry_tags')
      .set({ updated_at: slot('updated_at') })
      .where('tenant_id', '=', slot('tenant_id'))
      .where('entry_id', '=', slot('entry_id')),
);
