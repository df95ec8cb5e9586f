/**
 * Lists the revisions of a live entry, newest version first, with keyset pagination on the version.
 */
import type { Store } from '../../data/store/port.ts';
import type { Principal } from '../../experience/auth/principal.ts';
import { authorize } from '../policies/contentPolicies.ts';
import { decodeCursor, encodeCursor, pageSize } from './cursor.ts';
import { entryNotFound } from './guards.ts';
import { entryReads } from './reads.ts';
import { toRevision } from './rows.ts';
import { contentDb } from './tables.ts';
import { MAX_PAGE_SIZE, type Page, type Revision } from './types.ts';

/** Input of listRevisions. */
export interface RevisionListerProps {
  /** The store. */
  readonly store: Store;
  /** Who reads (any member of the tenant). */
  readonly actor: Principal;
  /** The tenant the entry belongs to. */
  readonly tenantId: string;
  /** The entry id. */
  readonly id: string;
  /** Page size, 1–100; default 20. */
  readonly limit?: number;
  /** The `next` of the previous page. */
  readonly cursor?: string | null;
}

/** One page of revisions; GALLEY_NOT_FOUND when the entry does not exist or is deleted. */
export async function listRevisions(props: RevisionListerProps): Promise<Page<Revision>> {
  authorize('entry.revisions', props.actor, { tenantId: props.tenantId });
  const limit = pageSize(props.limit, MAX_PAGE_SIZE);
  const entry = await entryReads(props.store).byId(props.tenantId, props.id);
  if (entry === undefined) throw entryNotFound(props.id);
  const before =
    props.cursor === undefined || props.cursor === null
      ? entry.version + 1
      : decodeCursor(props.cursor, ['number'] as const)[0];
  const rows = await contentDb(props.store.db)
    .selectFrom('entry_revisions')
    .selectAll()
    .where('tenant_id', '=', props.tenantId)
    .where('entry_id', '=', props.id)
    .where('version', '<', before)
    .orderBy('version', 'desc')
    .limit(limit + 1)
    .execute();
  const items = rows.slice(0, limit).map(toRevision);
  const last = items[items.length - 1];
  return { items, next: rows.length > limit && last !== undefined ? encodeCursor([last.version]) : null };
}
