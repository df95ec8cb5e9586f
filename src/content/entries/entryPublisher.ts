/**
 * Publishes an entry: its current fields become the published copy (`published_entries`, what the delivery API
 * serves) and its status `published`. Publishing an entry that is published and unchanged records nothing. A
 * pending scheduled publish is cleared. Records `entry.published`.
 */
import type { Kysely } from 'kysely';
import type { Store } from '../../data/store/port.ts';
import type { Database } from '../../data/store/schema.ts';
import type { Principal } from '../../experience/auth/principal.ts';
import { commitEntryEvent } from './commit.ts';
import { loadForWrite } from './guards.ts';
import type { EntryWithType } from './reads.ts';
import { entryReads } from './reads.ts';
import { toEntry } from './rows.ts';
import { actorOf, type Entry } from './types.ts';

/** Input of publishEntry. */
export interface EntryPublisherProps {
  /** The store. */
  readonly store: Store;
  /** A transaction to join, if any. */
  readonly db?: Kysely<Database>;
  /** Who publishes (owner, admin or editor; authors cannot publish). */
  readonly actor: Principal;
  /** The tenant the entry belongs to. */
  readonly tenantId: string;
  /** The entry id. */
  readonly id: string;
  /** When given (If-Match), the entry must be at this version. */
  readonly expectedVersion?: number;
}

/** Publishes the entry; GALLEY_NOT_FOUND, GALLEY_FORBIDDEN, GALLEY_ENTRY_VERSION_CONFLICT. */
export async function publishEntry(props: EntryPublisherProps): Promise<Entry> {
  const reads = entryReads(props.store, props.db);
  const found = await loadForWrite({
    reads,
    actor: props.actor,
    action: 'entry.publish',
    tenantId: props.tenantId,
    id: props.id,
    expectedVersion: props.expectedVersion,
  });
  return publishLoaded({ store: props.store, db: props.db, found, actor: actorOf(props.actor), scheduled: false });
}

/** Input of publishLoaded. */
export interface PublishLoadedProps {
  readonly store: Store;
  readonly db: Kysely<Database> | undefined;
  /** The entry as read, already authorised. */
  readonly found: EntryWithType;
  /** Actor string recorded on the event. */
  readonly actor: string;
  /** True when the scheduled publish job does it. */
  readonly scheduled: boolean;
}

/** The publish step without the policy: for the scheduled publish job, which runs on an authorised schedule. */
export async function publishLoaded(props: PublishLoadedProps): Promise<Entry> {
  const prior = props.found.row;
  if (prior.status === 'published' && prior.scheduled_publish_at === null) return toEntry(prior);
  const row = await commitEntryEvent({
    store: props.store,
    ...(props.db === undefined ? {} : { db: props.db }),
    tenantId: prior.tenant_id,
    name: 'entry.published',
    prior,
    type: props.found.type,
    data: {
      actor: props.actor,
      entry: prior.id,
      type: prior.type,
      version: prior.version + 1,
      status: 'published',
      hash: prior.content_hash,
      changed: [],
      at: new Date().toISOString(),
      publishedVersion: prior.version + 1,
      ...(props.scheduled ? { scheduled: true } : {}),
    },
  });
  return toEntry(row);
}
