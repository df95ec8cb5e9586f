/**
 * Checks shared by the entry use cases, in the order every write makes them: tenant (policy), existence, role on
 * the entry (policy), expected version; then, for writes that change fields, references and slug uniqueness.
 */
import type { Principal } from '../../experience/auth/principal.ts';
import { type FieldError, GalleyError } from '../../experience/errors/errors.ts';
import { authorize, type ContentAction } from '../policies/contentPolicies.ts';
import type { ReferenceToCheck } from '../types/fieldValidation.ts';
import type { ContentType } from '../types/types.ts';
import { slugTaken, versionConflict } from './commit.ts';
import type { EntryReads, EntryWithType } from './reads.ts';

/** GALLEY_NOT_FOUND for an entry. */
export function entryNotFound(id: string): GalleyError {
  return new GalleyError('GALLEY_NOT_FOUND', `entry ${id} not found`);
}

/** Input of loadForWrite. */
export interface LoadForWrite {
  readonly reads: EntryReads;
  readonly actor: Principal;
  readonly action: ContentAction;
  readonly tenantId: string;
  readonly id: string;
  /** When given, the entry must be at this version. */
  readonly expectedVersion: number | undefined;
}

/** The live entry and its type, after the policy and version checks. */
export async function loadForWrite(props: LoadForWrite): Promise<EntryWithType> {
  authorize(props.action, props.actor, { tenantId: props.tenantId, authorId: props.actor.subject });
  const found = await props.reads.withType(props.tenantId, props.id);
  if (found === undefined) throw entryNotFound(props.id);
  authorize(props.action, props.actor, { tenantId: props.tenantId, authorId: found.row.author_id });
  if (props.expectedVersion !== undefined && props.expectedVersion !== found.row.version) {
    throw versionConflict(props.id, found.row.version);
  }
  return found;
}

/** The content type of an entry; an internal error when it is missing (types are never deleted). */
export function requireType(found: EntryWithType): ContentType {
  if (found.type === undefined) throw new Error(`content type "${found.row.type}" of entry ${found.row.id} is missing`);
  return found.type;
}

/** Throws GALLEY_VALIDATION_FAILED unless every reference names a live entry of the tenant of an allowed type. */
export async function checkReferences(
  reads: EntryReads,
  tenantId: string,
  references: readonly ReferenceToCheck[],
  selfId?: string,
): Promise<void> {
  const errors: FieldError[] = [];
  for (const ref of references) {
    const target = ref.id === selfId ? undefined : await reads.byId(tenantId, ref.id);
    if (target === undefined) errors.push({ field: ref.field, message: 'references no entry of this tenant' });
    else if (ref.types !== undefined && !ref.types.includes(target.type)) {
      errors.push({ field: ref.field, message: `must reference an entry of type ${ref.types.join(' or ')}` });
    }
  }
  if (errors.length > 0)
    throw new GalleyError('GALLEY_VALIDATION_FAILED', 'fields reference missing entries', { errors });
}

/** The JSON pointer of the type's slug field. */
export function slugPointer(type: ContentType): string {
  return `/fields/${type.fields.find((f) => f.kind === 'slug')?.name ?? 'slug'}`;
}

/** Throws GALLEY_ENTRY_SLUG_TAKEN when another live entry of the type holds `slug`. */
export async function checkSlugFree(
  reads: EntryReads,
  tenantId: string,
  type: ContentType,
  slug: string | null,
  selfId?: string,
): Promise<void> {
  if (slug === null) return;
  const holder = await reads.bySlug(tenantId, slug, type.name);
  if (holder !== undefined && holder.id !== selfId) throw slugTaken(slug, slugPointer(type));
}
