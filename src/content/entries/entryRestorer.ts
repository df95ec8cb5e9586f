/**
 * Restores revision N of an entry as a new version: the entry's fields become that revision's fields (stored as
 * they were, not revalidated: they were valid when written), its slug must still be free. A published entry becomes
 * `changed`. Restoring content equal to the current content records nothing. Records `entry.restored`.
 */
import type { Kysely } from 'kysely';
import type { Store } from '../../data/store/port.ts';
import type { Database } from '../../data/store/schema.ts';
import type { Principal } from '../../experience/auth/principal.ts';
import { GalleyError } from '../../experience/errors/errors.ts';
import { deriveEntryValues } from '../types/fieldValidation.ts';
import { canonicalJson } from './canonical.ts';
import { commitEntryEvent } from './commit.ts';
import { checkSlugFree, loadForWrite, requireType, slugPointer } from './guards.ts';
import { entryReads } from './reads.ts';
import { toEntry } from './rows.ts';
import { contentDb } from './tables.ts';
import { actorOf, type Entry, type EntryFields } from './types.ts';

/** Input of restoreEntry. */
export interface EntryRestorerProps {
  /** The store. */
  readonly store: Store;
  /** A transaction to join, if any. */
  readonly db?: Kysely<Database>;
  /** Who restores (editors and above; authors their own entries). */
  readonly actor: Principal;
  /** The tenant the entry belongs to. */
  readonly tenantId: string;
  /** The entry id. */
  readonly id: string;
  /** The revision (version number) whose fields to restore. */
  readonly revision: number;
  /** When given (If-Match), the entry must be at this version. */
  readonly expectedVersion?: number;
}

/** Restores the revision; GALLEY_NOT_FOUND (entry or revision), GALLEY_ENTRY_VERSION_CONFLICT, GALLEY_ENTRY_SLUG_TAKEN. */
export async function restoreEntry(props: EntryRestorerProps): Promise<Entry> {
  const reads = entryReads(props.store, props.db);
  const found = await loadForWrite({
    reads,
    actor: props.actor,
    action: 'entry.restore',
    tenantId: props.tenantId,
    id: props.id,
    expectedVersion: props.expectedVersion,
  });
  const type = requireType(found);
  const prior = found.row;
  const revision = await contentDb(props.db ?? props.store.db)
    .selectFrom('entry_revisions')
    .select(['fields', 'content_hash'])
    .where('tenant_id', '=', props.tenantId)
    .where('entry_id', '=', props.id)
    .where('version', '=', props.revision)
    .executeTakeFirst();
  if (revision === undefined) {
    throw new GalleyError('GALLEY_NOT_FOUND', `entry ${props.id} has no revision ${props.revision}`);
  }
  if (revision.content_hash === prior.content_hash) return toEntry(prior);
  const fields = JSON.parse(revision.fields) as EntryFields;
  const current = JSON.parse(prior.fields) as EntryFields;
  const changed = [...new Set([...Object.keys(current), ...Object.keys(fields)])]
    .filter((name) => canonicalJson(current[name]) !== canonicalJson(fields[name]))
    .sort();
  const derived = deriveEntryValues(type, fields);
  if (derived.slug !== prior.slug) await checkSlugFree(reads, props.tenantId, type, derived.slug, props.id);
  const row = await commitEntryEvent({
    store: props.store,
    ...(props.db === undefined ? {} : { db: props.db }),
    tenantId: props.tenantId,
    name: 'entry.restored',
    prior,
    type,
    slugField: slugPointer(type),
    data: {
      actor: actorOf(props.actor),
      entry: prior.id,
      type: prior.type,
      version: prior.version + 1,
      status: prior.status === 'draft' ? 'draft' : 'changed',
      hash: revision.content_hash,
      changed,
      at: new Date().toISOString(),
      fromVersion: props.revision,
      fields,
      ...derived,
    },
  });
  return toEntry(row);
}
