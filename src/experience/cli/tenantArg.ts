/**
 * The tenant a CLI command names by slug (`--tenant <slug>`): its id, or an error people can read. Shared by
 * every operator command so they all look tenants up (and fail) the same way.
 */
import type { Store } from '../../data/store/port.ts';
import { tenantIdOf } from '../api/entries/access.ts';

/** The id of the tenant with `slug`; throws `no tenant "<slug>"` when there is none. */
export async function tenantIdForSlug(store: Store, slug: string): Promise<string> {
  const id = await tenantIdOf(store.db, slug);
  if (id === undefined) throw new Error(`no tenant "${slug}"`);
  return id;
}
