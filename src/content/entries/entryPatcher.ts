/**
 * Changes some fields of an entry (the editor's autosave). Optimistic concurrency: `expectedVersion` is required
 * and a stale one fails with GALLEY_ENTRY_VERSION_CONFLICT (412) carrying the current version. A patch that
 * changes nothing records nothing and returns the entry as it is. Records `entry.updated`; a published entry
 * becomes `changed`.
 */
import type { Kysely } from 'kysely';
import type { Store } from '../../data/store/port.ts';
import type { Database } from '../../data/store/schema.ts';
import type { Principal } from '../../experience/auth/principal.ts';
import { checkEntryFields, deriveEntryValues } from '../types/fieldValidation.ts';
import { contentHash } from './canonical.ts';
import { commitEntryEvent } from './commit.ts';
import { checkReferences, checkSlugFree, loadForWrite, requireType, slugPointer } from './guards.ts';
import { entryReads } from './reads.ts';
import { toEntry } from './rows.ts';
import { actorOf, type Entry } from './types.ts';

/** Input of patchEntry. */
export interface EntryPatcherProps {
  /** The store. */
  readonly store: Store;
  /** A transaction to join, if any. */
  readonly db?: Kysely<Database>;
  /** Who patches (editors and above; authors their own entries). */
  readonly actor: Principal;
  /** The tenant the entry belongs to. */
  readonly tenantId: string;
  /** The entry id. */
  readonly id: string;
  /** Fields to set; null removes an optional field; fields not named keep their value. */
  readonly fields: unknown;
  /** The version the client last saw (from If-Match). */
  readonly expectedVersion: number;
}

/** Applies the patch; GALLEY_NOT_FOUND, GALLEY_FORBIDDEN, GALLEY_ENTRY_VERSION_CONFLICT, GALLEY_VALIDATION_FAILED. */
export async function patchEntry(props: EntryPatcherProps): Promise<Entry> {
  const reads = entryReads(props.store, props.db);
  const found = await loadForWrite({ ...props, reads, action: 'entry.update' });
  const type = requireType(found);
  const prior = found.row;
  const current = JSON.parse(prior.fields) as Record<string, unknown>;
  const checked = checkEntryFields(type, props.fields, current);
  if (checked.changed.length === 0) return toEntry(prior);
  await checkReferences(reads, props.tenantId, checked.references, props.id);
  const derived = deriveEntryValues(type, checked.fields);
  if (derived.slug !== prior.slug) await checkSlugFree(reads, props.tenantId, type, derived.slug, props.id);
  const row = await commitEntryEvent({
    store: props.store,
    ...(props.db === undefined ? {} : { db: props.db }),
    tenantId: props.tenantId,
    name: 'entry.updated',
    prior,
    type,
    slugField: slugPointer(type),
    data: {
      actor: actorOf(props.actor),
      entry: prior.id,
      type: prior.type,
      version: prior.version + 1,
      status: prior.status === 'draft' ? 'draft' : 'changed',
      hash: contentHash(checked.fields),
      changed: checked.changed,
      at: new Date().toISOString(),
      set: checked.set,
      cleared: checked.cleared,
      ...derived,
    },
  });
  return toEntry(row);
}
