/**
 * Soft-deletes an entry: it disappears from reads, lists, the published copy and the search index, while its
 * revisions and events stay. Needs the expected version like a patch. Records `entry.deleted`.
 */
import type { Kysely } from 'kysely';
import type { Store } from '../../data/store/port.ts';
import type { Database } from '../../data/store/schema.ts';
import type { Principal } from '../../experience/auth/principal.ts';
import { commitEntryEvent } from './commit.ts';
import { loadForWrite } from './guards.ts';
import { entryReads } from './reads.ts';
import { actorOf } from './types.ts';

/** Input of deleteEntry. */
export interface EntryDeleterProps {
  /** The store. */
  readonly store: Store;
  /** A transaction to join, if any. */
  readonly db?: Kysely<Database>;
  /** Who deletes (editors and above; authors their own entries). */
  readonly actor: Principal;
  /** The tenant the entry belongs to. */
  readonly tenantId: string;
  /** The entry id. */
  readonly id: string;
  /** The version the client last saw (from If-Match). */
  readonly expectedVersion: number;
}

/** What deleteEntry recorded. */
export interface EntryDeleted {
  readonly id: string;
  /** The version of the deletion (one past the expected version). */
  readonly version: number;
  readonly deletedAt: string;
}

/** Deletes the entry; GALLEY_NOT_FOUND, GALLEY_FORBIDDEN, GALLEY_ENTRY_VERSION_CONFLICT. */
export async function deleteEntry(props: EntryDeleterProps): Promise<EntryDeleted> {
  const reads = entryReads(props.store, props.db);
  const found = await loadForWrite({ ...props, reads, action: 'entry.delete' });
  const prior = found.row;
  const row = await commitEntryEvent({
    store: props.store,
    ...(props.db === undefined ? {} : { db: props.db }),
    tenantId: props.tenantId,
    name: 'entry.deleted',
    prior,
    type: found.type,
    data: {
      actor: actorOf(props.actor),
      entry: prior.id,
      type: prior.type,
      version: prior.version + 1,
      status: prior.status,
      hash: prior.content_hash,
      changed: [],
      at: new Date().toISOString(),
    },
  });
  return { id: row.id, version: row.version, deletedAt: row.deleted_at ?? row.updated_at };
}
