/**
 * Lists a tenant's live entries, newest first by (updatedAt, id), with keyset pagination (opaque cursor) and
 * optional filters: type, status, tag, author, updated range. Each filter combination has an index led by the
 * tenant (migration 0010); a tag filter walks `entry_tags` and joins the entry. Pages are read with one prepared
 * statement per filter combination.
 *
 * Exactly-once under concurrent writes: a page continues strictly below the previous page's last (updatedAt, id),
 * so entries inserted meanwhile (newer) never appear on later pages and none that existed is skipped or repeated,
 * unless it was itself updated meanwhile (it then moves to the front of the list).
 *
 * `estimateCount` reads the maintained per-tenant statistics, never COUNT(*): exact for type and status filters,
 * scaled by the tag's and the author's share of the tenant under an independence assumption, and not narrowed by
 * the updated range (an upper bound then).
 */
import type { Compilable, Kysely } from 'kysely';
import type { PreparedRead, Store } from '../../data/store/port.ts';
import type { Principal } from '../../experience/auth/principal.ts';
import { GalleyError } from '../../experience/errors/errors.ts';
import { authorize } from '../policies/contentPolicies.ts';
import { decodeCursor, encodeCursor, pageSize } from './cursor.ts';
import { type EntryRow, toEntry } from './rows.ts';
import { type ContentTables, contentDb } from './tables.ts';
import { ENTRY_STATUSES, type Entry, type EntryListFilters, MAX_PAGE_SIZE, type Page } from './types.ts';

/** Input of listEntries. */
export interface EntryListerProps {
  /** The store. */
  readonly store: Store;
  /** Who lists (any member of the tenant). */
  readonly actor: Principal;
  /** The tenant whose entries to list. */
  readonly tenantId: string;
  /** Filters, combined with AND. */
  readonly filters?: EntryListFilters;
  /** Page size, 1–100; default 20. */
  readonly limit?: number;
  /** The `next` of the previous page. */
  readonly cursor?: string | null;
  /** Also return `estimatedCount` (from statistics; see the module comment). */
  readonly estimateCount?: boolean;
}

type ParamName = 'tenantId' | 'type' | 'status' | 'tag' | 'authorId' | 'from' | 'to' | 'afterU' | 'afterId' | 'limit';
type Values = Partial<Record<ParamName, string | number>>;

/** Marks each parameter by name, so the compiled order maps back to names. */
const LIMIT_MARKER = 2_000_000_011;
const mark = (name: ParamName): string => `\u0000${name}`;

function buildList(db: Kysely<ContentTables>, present: ReadonlySet<ParamName>, v: (n: ParamName) => string) {
  const limit = LIMIT_MARKER;
  if (present.has('tag')) {
    let q = db
      .selectFrom('entry_tags as g')
      .innerJoin('entries as e', (j) => j.onRef('e.tenant_id', '=', 'g.tenant_id').onRef('e.id', '=', 'g.entry_id'))
      .selectAll('e')
      .where('g.tenant_id', '=', v('tenantId'))
      .where('g.tag', '=', v('tag'));
    if (present.has('from')) q = q.where('g.updated_at', '>=', v('from'));
    if (present.has('to')) q = q.where('g.updated_at', '<', v('to'));
    if (present.has('afterU')) {
      q = q.where((eb) => eb(eb.refTuple('g.updated_at', 'g.entry_id'), '<', eb.tuple(v('afterU'), v('afterId'))));
    }
    if (present.has('type')) q = q.where('e.type', '=', v('type'));
    if (present.has('status')) q = q.where('e.status', '=', v('status') as EntryRow['status']);
    if (present.has('authorId')) q = q.where('e.author_id', '=', v('authorId'));
    return q
      .where('e.deleted_at', 'is', null)
      .orderBy('g.updated_at', 'desc')
      .orderBy('g.entry_id', 'desc')
      .limit(limit);
  }
  let q = db.selectFrom('entries').selectAll().where('tenant_id', '=', v('tenantId'));
  if (present.has('type')) q = q.where('type', '=', v('type'));
  if (present.has('status')) q = q.where('status', '=', v('status') as EntryRow['status']);
  if (present.has('authorId')) q = q.where('author_id', '=', v('authorId'));
  q = q.where('deleted_at', 'is', null);
  if (present.has('from')) q = q.where('updated_at', '>=', v('from'));
  if (present.has('to')) q = q.where('updated_at', '<', v('to'));
  if (present.has('afterU')) {
    q = q.where((eb) => eb(eb.refTuple('updated_at', 'id'), '<', eb.tuple(v('afterU'), v('afterId'))));
  }
  return q.orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(limit);
}

interface PreparedList {
  readonly read: PreparedRead<EntryRow>;
  readonly order: readonly ParamName[];
}

const listCache = new WeakMap<Store, Map<string, PreparedList>>();

function preparedList(store: Store, present: ReadonlySet<ParamName>): PreparedList {
  let byShape = listCache.get(store);
  if (byShape === undefined) {
    byShape = new Map();
    listCache.set(store, byShape);
  }
  const shape = [...present].sort().join(',');
  const cached = byShape.get(shape);
  if (cached !== undefined) return cached;
  const query: Compilable<EntryRow> = buildList(contentDb(store.db), present, mark);
  const order = query.compile().parameters.map((p) => {
    if (p === LIMIT_MARKER) return 'limit';
    if (typeof p === 'string' && p.startsWith('\u0000')) return p.slice(1) as ParamName;
    throw new Error(`unexpected list parameter ${String(p)}`);
  });
  const prepared = { read: store.prepare(query), order };
  byShape.set(shape, prepared);
  return prepared;
}

function checkFilters(filters: EntryListFilters): void {
  if (filters.status !== undefined && !(ENTRY_STATUSES as readonly string[]).includes(filters.status)) {
    throw new GalleyError('GALLEY_VALIDATION_FAILED', 'unknown status filter', {
      errors: [{ field: '/status', message: `must be one of ${ENTRY_STATUSES.join(', ')}`, location: 'querystring' }],
    });
  }
  for (const key of ['updatedFrom', 'updatedTo'] as const) {
    const value = filters[key];
    if (value !== undefined && Number.isNaN(Date.parse(value))) {
      throw new GalleyError('GALLEY_VALIDATION_FAILED', `${key} is not a date`, {
        errors: [{ field: `/${key}`, message: 'must be an ISO-8601 date-time', location: 'querystring' }],
      });
    }
  }
}

/** ISO bounds normalised to the stored form, so text comparison is time comparison. */
function isoBound(value: string | undefined): string | undefined {
  return value === undefined ? undefined : new Date(Date.parse(value)).toISOString();
}

/** One page of entries; GALLEY_VALIDATION_FAILED for a bad limit, cursor or filter. */
export async function listEntries(props: EntryListerProps): Promise<Page<Entry>> {
  authorize('entry.list', props.actor, { tenantId: props.tenantId });
  const filters = props.filters ?? {};
  checkFilters(filters);
  const limit = pageSize(props.limit, MAX_PAGE_SIZE);
  const values: Values = {
    tenantId: props.tenantId,
    type: filters.type,
    status: filters.status,
    tag: filters.tag,
    authorId: filters.authorId,
    from: isoBound(filters.updatedFrom),
    to: isoBound(filters.updatedTo),
    limit: limit + 1,
  };
  if (props.cursor !== undefined && props.cursor !== null) {
    const [u, id] = decodeCursor(props.cursor, ['string', 'string'] as const);
    values.afterU = u;
    values.afterId = id;
  }
  const present = new Set((Object.keys(values) as ParamName[]).filter((k) => values[k] !== undefined));
  const statement = preparedList(props.store, present);
  const rows = await statement.read.all(statement.order.map((name) => values[name]));
  const items = rows.slice(0, limit).map(toEntry);
  const last = items[items.length - 1];
  const next = rows.length > limit && last !== undefined ? encodeCursor([last.updatedAt, last.id]) : null;
  if (props.estimateCount !== true) return { items, next };
  return { items, next, estimatedCount: await estimateEntryCount(props.store, props.tenantId, filters) };
}

const statsCache = new WeakMap<Store, PreparedRead<{ dimension: string; key: string; entries: number }>>();

/** The estimated number of live entries matching `filters`, from tenant_content_stats (see the module comment). */
export async function estimateEntryCount(store: Store, tenantId: string, filters: EntryListFilters): Promise<number> {
  let read = statsCache.get(store);
  if (read === undefined) {
    read = store.prepare(
      contentDb(store.db)
        .selectFrom('tenant_content_stats')
        .select(['dimension', 'key', 'entries'])
        .where('tenant_id', '=', '')
        .where((eb) =>
          eb.or([
            eb('dimension', '=', 'type_status'),
            eb.and([eb('dimension', '=', 'tag'), eb('key', '=', '')]),
            eb.and([eb('dimension', '=', 'author'), eb('key', '=', '')]),
          ]),
        ),
    );
    statsCache.set(store, read);
  }
  const rows = await read.all([tenantId, 'type_status', 'tag', filters.tag ?? '', 'author', filters.authorId ?? '']);
  let total = 0;
  let matching = 0;
  let tag = 0;
  let author = 0;
  for (const r of rows) {
    if (r.dimension === 'tag') tag = r.entries;
    else if (r.dimension === 'author') author = r.entries;
    else {
      const [type, status] = r.key.split('|');
      total += r.entries;
      if ((filters.type ?? type) === type && (filters.status ?? status) === status) matching += r.entries;
    }
  }
  if (total <= 0) return 0;
  let estimate = matching;
  if (filters.tag !== undefined) estimate *= tag / total;
  if (filters.authorId !== undefined) estimate *= author / total;
  return Math.round(estimate);
}
