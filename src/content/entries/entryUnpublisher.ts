/**
 * Unpublishes an entry: the published copy goes away and the entry is a draft again (its fields are untouched).
 * A pending scheduled publish is cancelled too. Unpublishing a draft with nothing scheduled records nothing.
 * Records `entry.unpublished`.
 */
import type { Kysely } from 'kysely';
import type { Store } from '../../data/store/port.ts';
import type { Database } from '../../data/store/schema.ts';
import type { Principal } from '../../experience/auth/principal.ts';
import { commitEntryEvent } from './commit.ts';
import { loadForWrite } from './guards.ts';
import { entryReads } from './reads.ts';
import { toEntry } from './rows.ts';
import { actorOf, type Entry } from './types.ts';

/** Input of unpublishEntry. */
export interface EntryUnpublisherProps {
  /** The store. */
  readonly store: Store;
  /** A transaction to join, if any. */
  readonly db?: Kysely<Database>;
  /** Who unpublishes (owner, admin or editor). */
  readonly actor: Principal;
  /** The tenant the entry belongs to. */
  readonly tenantId: string;
  /** The entry id. */
  readonly id: string;
  /** When given (If-Match), the entry must be at this version. */
  readonly expectedVersion?: number;
}

/** Unpublishes the entry; GALLEY_NOT_FOUND, GALLEY_FORBIDDEN, GALLEY_ENTRY_VERSION_CONFLICT. */
export async function unpublishEntry(props: EntryUnpublisherProps): Promise<Entry> {
  const reads = entryReads(props.store, props.db);
  const found = await loadForWrite({
    reads,
    actor: props.actor,
    action: 'entry.unpublish',
    tenantId: props.tenantId,
    id: props.id,
    expectedVersion: props.expectedVersion,
  });
  const prior = found.row;
  if (prior.status === 'draft' && prior.scheduled_publish_at === null) return toEntry(prior);
  const row = await commitEntryEvent({
    store: props.store,
    ...(props.db === undefined ? {} : { db: props.db }),
    tenantId: props.tenantId,
    name: 'entry.unpublished',
    prior,
    type: found.type,
    data: {
      actor: actorOf(props.actor),
      entry: prior.id,
      type: prior.type,
      version: prior.version + 1,
      status: 'draft',
      hash: prior.content_hash,
      changed: [],
      at: new Date().toISOString(),
    },
  });
  return toEntry(row);
}
