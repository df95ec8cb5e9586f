/**
 * The point reads entry use cases make. On the plain store they are prepared statements (compiled once per store,
 * run on SQLite's read connection or as named PostgreSQL statements) and see committed data; when a use case joins
 * a caller's transaction they run through it instead, so a batch sees its own uncommitted writes.
 */
import type { Kysely } from 'kysely';
import type { Store } from '../../data/store/port.ts';
import type { Database } from '../../data/store/schema.ts';
import { findContentType, findContentTypeIn, toContentType } from '../types/contentTypeStore.ts';
import type { ContentType } from '../types/types.ts';
import type { EntryRow } from './rows.ts';
import { type ContentTables, contentDb } from './tables.ts';

/** A live entry and its content type (undefined only if the type row is gone). */
export interface EntryWithType {
  readonly row: EntryRow;
  readonly type: ContentType | undefined;
}

/** Point reads of live entries and types. */
export interface EntryReads {
  /** The live (not deleted) entry. */
  byId(tenantId: string, id: string): Promise<EntryRow | undefined>;
  /** The live entry with its content type, in one statement. */
  withType(tenantId: string, id: string): Promise<EntryWithType | undefined>;
  /** The live entry with this slug (of this type when given; otherwise the first by type name). */
  bySlug(tenantId: string, slug: string, type?: string): Promise<EntryRow | undefined>;
  /** The tenant's content type. */
  type(tenantId: string, name: string): Promise<ContentType | undefined>;
  /** The entry in any state, soft-deleted included (ids are never reused). */
  byIdAnyState(tenantId: string, id: string): Promise<EntryRow | undefined>;
}

function byIdQuery(db: Kysely<ContentTables>, tenantId: string, id: string) {
  return db
    .selectFrom('entries')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null);
}

function anyStateQuery(db: Kysely<ContentTables>, tenantId: string, id: string) {
  return db.selectFrom('entries').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
}

function withTypeQuery(db: Kysely<ContentTables>, tenantId: string, id: string) {
  return db
    .selectFrom('entries as e')
    .leftJoin('content_types as t', (j) => j.onRef('t.tenant_id', '=', 'e.tenant_id').onRef('t.name', '=', 'e.type'))
    .selectAll('e')
    .select([
      't.label as t_label',
      't.fields as t_fields',
      't.title_field as t_title_field',
      't.version as t_version',
      't.created_at as t_created_at',
      't.updated_at as t_updated_at',
    ])
    .where('e.tenant_id', '=', tenantId)
    .where('e.id', '=', id)
    .where('e.deleted_at', 'is', null);
}

function bySlugQuery(db: Kysely<ContentTables>, tenantId: string, slug: string, type: string | undefined) {
  let query = db
    .selectFrom('entries')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('slug', '=', slug)
    .where('deleted_at', 'is', null);
  if (type !== undefined) query = query.where('type', '=', type);
  return query.orderBy('type').limit(1);
}

type JoinedRow = Awaited<ReturnType<ReturnType<typeof withTypeQuery>['executeTakeFirstOrThrow']>>;

function splitJoined(joined: JoinedRow): EntryWithType {
  const { t_label, t_fields, t_title_field, t_version, t_created_at, t_updated_at, ...row } = joined;
  const type =
    t_fields === null || t_label === null || t_version === null || t_created_at === null || t_updated_at === null
      ? undefined
      : toContentType({
          tenant_id: row.tenant_id,
          name: row.type,
          label: t_label,
          fields: t_fields,
          title_field: t_title_field,
          version: t_version,
          created_at: t_created_at,
          updated_at: t_updated_at,
        });
  return { row, type };
}

function preparedReads(store: Store) {
  const db = contentDb(store.db);
  return {
    byId: store.prepare(byIdQuery(db, '', '')),
    withType: store.prepare(withTypeQuery(db, '', '')),
    bySlug: store.prepare(bySlugQuery(db, '', '', undefined)),
    bySlugAndType: store.prepare(bySlugQuery(db, '', '', '')),
  };
}

const cache = new WeakMap<Store, ReturnType<typeof preparedReads>>();

/** The reads for a use case: prepared on the store, or through `db` when it is a transaction. */
export function entryReads(store: Store, db?: Kysely<Database>): EntryReads {
  if (db?.isTransaction === true) {
    const trx = contentDb(db);
    return {
      byId: (tenantId, id) => byIdQuery(trx, tenantId, id).executeTakeFirst(),
      withType: async (tenantId, id) => {
        const joined = await withTypeQuery(trx, tenantId, id).executeTakeFirst();
        return joined === undefined ? undefined : splitJoined(joined);
      },
      bySlug: (tenantId, slug, type) => bySlugQuery(trx, tenantId, slug, type).executeTakeFirst(),
      type: (tenantId, name) => findContentTypeIn(db, tenantId, name),
      byIdAnyState: (tenantId, id) => anyStateQuery(trx, tenantId, id).executeTakeFirst(),
    };
  }
  let p = cache.get(store);
  if (p === undefined) {
    p = preparedReads(store);
    cache.set(store, p);
  }
  const statements = p;
  return {
    byId: (tenantId, id) => statements.byId.first([tenantId, id]),
    withType: async (tenantId, id) => {
      const joined = await statements.withType.first([tenantId, id]);
      return joined === undefined ? undefined : splitJoined(joined);
    },
    bySlug: (tenantId, slug, type) =>
      type === undefined
        ? statements.bySlug.first([tenantId, slug, 1])
        : statements.bySlugAndType.first([tenantId, slug, type, 1]),
    type: (tenantId, name) => findContentType(store, tenantId, name),
    byIdAnyState: (tenantId, id) => anyStateQuery(contentDb(store.db), tenantId, id).executeTakeFirst(),
  };
}
