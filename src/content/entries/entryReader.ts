/**
 * Reads one live entry by id or by slug: one prepared point read. Soft-deleted entries are not found.
 */
import type { Store } from '../../data/store/port.ts';
import type { Principal } from '../../experience/auth/principal.ts';
import { authorize } from '../policies/contentPolicies.ts';
import { entryNotFound } from './guards.ts';
import { entryReads } from './reads.ts';
import { toEntry } from './rows.ts';
import type { Entry } from './types.ts';

/** Input of getEntry. */
export interface EntryReaderProps {
  /** The store. */
  readonly store: Store;
  /** Who reads (any member of the tenant). */
  readonly actor: Principal;
  /** The tenant the entry belongs to. */
  readonly tenantId: string;
  /** The entry id. */
  readonly id: string;
}

/** The entry; GALLEY_NOT_FOUND when it does not exist, is deleted, or belongs to another tenant than the actor's. */
export async function getEntry(props: EntryReaderProps): Promise<Entry> {
  authorize('entry.read', props.actor, { tenantId: props.tenantId });
  const row = await entryReads(props.store).byId(props.tenantId, props.id);
  if (row === undefined) throw entryNotFound(props.id);
  return toEntry(row);
}

/** Input of getEntryBySlug. */
export interface EntryBySlugProps {
  /** The store. */
  readonly store: Store;
  /** Who reads (any member of the tenant). */
  readonly actor: Principal;
  /** The tenant the entry belongs to. */
  readonly tenantId: string;
  /** The slug. */
  readonly slug: string;
  /** The content type; without it, the entry of the alphabetically first type holding the slug. */
  readonly type?: string;
}

/** The live entry with this slug; GALLEY_NOT_FOUND otherwise. */
export async function getEntryBySlug(props: EntryBySlugProps): Promise<Entry> {
  authorize('entry.read', props.actor, { tenantId: props.tenantId });
  const row = await entryReads(props.store).bySlug(props.tenantId, props.slug, props.type);
  if (row === undefined) throw entryNotFound(props.slug);
  return toEntry(row);
}
