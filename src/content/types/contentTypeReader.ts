/**
 * Reads a tenant's content types: one by name, or all of them (a tenant has few; no pagination).
 */
import type { Store } from '../../data/store/port.ts';
import type { Principal } from '../../experience/auth/principal.ts';
import { GalleyError } from '../../experience/errors/errors.ts';
import { authorize } from '../policies/contentPolicies.ts';
import { findContentType, listContentTypeRows } from './contentTypeStore.ts';
import type { ContentType } from './types.ts';

/** Input of getContentType. */
export interface ContentTypeReaderProps {
  /** The store. */
  readonly store: Store;
  /** Who reads (any member of the tenant). */
  readonly actor: Principal;
  /** The tenant the type belongs to. */
  readonly tenantId: string;
  /** The type name. */
  readonly name: string;
}

/** The type; GALLEY_NOT_FOUND when the tenant has none of that name (or the actor is of another tenant). */
export async function getContentType(props: ContentTypeReaderProps): Promise<ContentType> {
  authorize('contentType.read', props.actor, { tenantId: props.tenantId });
  const type = await findContentType(props.store, props.tenantId, props.name);
  if (type === undefined) throw new GalleyError('GALLEY_NOT_FOUND', `content type "${props.name}" not found`);
  return type;
}

/** Input of listContentTypes. */
export interface ContentTypeListerProps {
  /** The store. */
  readonly store: Store;
  /** Who reads (any member of the tenant). */
  readonly actor: Principal;
  /** The tenant whose types to list. */
  readonly tenantId: string;
}

/** Every type of the tenant, ordered by name. */
export async function listContentTypes(props: ContentTypeListerProps): Promise<readonly ContentType[]> {
  authorize('contentType.read', props.actor, { tenantId: props.tenantId });
  return listContentTypeRows(props.store.db, props.tenantId);
}
