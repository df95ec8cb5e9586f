/**
 * Creates an entry of one of the tenant's content types, as a draft at version 1. Records `entry.created`.
 */
import type { Kysely } from 'kysely';
import type { Store } from '../../data/store/port.ts';
import type { Database } from '../../data/store/schema.ts';
import type { Principal } from '../../experience/auth/principal.ts';
import { GalleyError } from '../../experience/errors/errors.ts';
import { newId } from '../identity/ids.ts';
import { authorize } from '../policies/contentPolicies.ts';
import { checkEntryFields, deriveEntryValues } from '../types/fieldValidation.ts';
import { contentHash } from './canonical.ts';
import { commitEntryEvent } from './commit.ts';
import { checkReferences, checkSlugFree, slugPointer } from './guards.ts';
import { entryReads } from './reads.ts';
import { toEntry } from './rows.ts';
import { actorOf, type Entry } from './types.ts';

/** Client-chosen ids (imports): letters, digits, `_` and `-`, up to 64. */
export const ENTRY_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Input of createEntry. */
export interface EntryCreatorProps {
  /** The store. */
  readonly store: Store;
  /** A transaction to join (batch imports); defaults to a transaction of its own. */
  readonly db?: Kysely<Database>;
  /** Who creates it (owner, admin, editor or author of the tenant); becomes the author. */
  readonly actor: Principal;
  /** The tenant the entry belongs to. */
  readonly tenantId: string;
  /** Content type name, e.g. `article`. */
  readonly type: string;
  /** Field values; unknown fields are refused. */
  readonly fields: unknown;
  /** Id to use instead of a new UUIDv7 (imports that must be resumable); GALLEY_CONFLICT when taken. */
  readonly id?: string;
}

/**
 * Creates the entry. GALLEY_VALIDATION_FAILED for an unknown type (`/type`) or invalid fields (`/fields/<name>`),
 * GALLEY_ENTRY_SLUG_TAKEN when its slug is used by another entry of the type.
 */
export async function createEntry(props: EntryCreatorProps): Promise<Entry> {
  authorize('entry.create', props.actor, { tenantId: props.tenantId });
  if (props.id !== undefined && !ENTRY_ID.test(props.id)) {
    throw new GalleyError('GALLEY_VALIDATION_FAILED', 'entry id is not valid', {
      errors: [{ field: '/id', message: 'must be 1–64 letters, digits, _ or -' }],
    });
  }
  const reads = entryReads(props.store, props.db);
  const type = await reads.type(props.tenantId, props.type);
  if (type === undefined) {
    throw new GalleyError('GALLEY_VALIDATION_FAILED', `no content type "${props.type}"`, {
      errors: [{ field: '/type', message: `is not a content type of this tenant` }],
    });
  }
  const checked = checkEntryFields(type, props.fields);
  const id = props.id ?? newId();
  await checkReferences(reads, props.tenantId, checked.references);
  const derived = deriveEntryValues(type, checked.fields);
  await checkSlugFree(reads, props.tenantId, type, derived.slug);
  if (props.id !== undefined) {
    const taken = await reads.byIdAnyState(props.tenantId, props.id);
    if (taken !== undefined) throw new GalleyError('GALLEY_CONFLICT', `entry ${props.id} already exists`);
  }
  const actor = actorOf(props.actor);
  const row = await commitEntryEvent({
    store: props.store,
    ...(props.db === undefined ? {} : { db: props.db }),
    tenantId: props.tenantId,
    name: 'entry.created',
    prior: null,
    type,
    slugField: slugPointer(type),
    data: {
      actor,
      entry: id,
      type: type.name,
      version: 1,
      status: 'draft',
      hash: contentHash(checked.fields),
      changed: Object.keys(checked.fields).sort(),
      at: new Date().toISOString(),
      authorId: props.actor.subject,
      fields: checked.fields,
      ...derived,
    },
  });
  return toEntry(row);
}
