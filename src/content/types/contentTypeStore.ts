/**
 * Reads of content type rows for the use cases (no policy here: callers authorize first). Point reads go through
 * `store.prepare`, compiled once per store.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Store } from '../../data/store/port.ts';
import { type ContentTypesTable, contentDb } from '../entries/tables.ts';
import type { ContentType, FieldDefinition } from './types.ts';

/** A stored row as the domain type. */
export function toContentType(row: Selectable<ContentTypesTable>): ContentType {
  return Object.freeze({
    tenantId: row.tenant_id,
    name: row.name,
    label: row.label,
    fields: Object.freeze(JSON.parse(row.fields) as FieldDefinition[]),
    titleField: row.title_field,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}

const prepared = new WeakMap<Store, ReturnType<typeof prepare>>();

function prepare(store: Store) {
  const db = contentDb(store.db);
  return store.prepare(db.selectFrom('content_types').selectAll().where('tenant_id', '=', '').where('name', '=', ''));
}

/** The tenant's type `name`, or undefined (committed state, read connection). */
export async function findContentType(store: Store, tenantId: string, name: string): Promise<ContentType | undefined> {
  let statement = prepared.get(store);
  if (statement === undefined) {
    statement = prepare(store);
    prepared.set(store, statement);
  }
  const row = await statement.first([tenantId, name]);
  return row === undefined ? undefined : toContentType(row);
}

/** The tenant's type `name` read through `db` (inside a transaction when it is one). */
export async function findContentTypeIn<DB>(
  db: Kysely<DB>,
  tenantId: string,
  name: string,
): Promise<ContentType | undefined> {
  const row = await contentDb(db)
    .selectFrom('content_types')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('name', '=', name)
    .executeTakeFirst();
  return row === undefined ? undefined : toContentType(row);
}

/** Every type of the tenant, by name. */
export async function listContentTypeRows<DB>(db: Kysely<DB>, tenantId: string): Promise<ContentType[]> {
  const rows = await contentDb(db)
    .selectFrom('content_types')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('name')
    .execute();
  return rows.map(toContentType);
}
