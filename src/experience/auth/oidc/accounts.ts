/**
 * The identity reads the authorization server needs: users as OIDC accounts, memberships (the role a token
 * carries), tenants by slug, service accounts. Every membership read names its tenant.
 */
import type { Account, KoaContextWithOIDC } from 'oidc-provider';
import type { Store } from '../../../data/store/port.ts';
import type { MemberRole, TenantsTable } from '../../../data/store/schema.ts';

/** A tenant the user belongs to, with the user's role there. */
export interface Membership {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly role: MemberRole;
}

/** Point reads every token issuance makes, compiled once per store (see `prepared`). */
function preparedReads(store: Store) {
  return {
    /** Parameters: tenant id, user id. */
    role: store.prepare(
      store.db.selectFrom('memberships').select('role').where('tenant_id', '=', '').where('user_id', '=', ''),
    ),
    /** Parameters: user id. */
    user: store.prepare(
      store.db.selectFrom('users').select(['id', 'email', 'name', 'email_verified']).where('id', '=', ''),
    ),
  };
}

const cache = new WeakMap<Store, ReturnType<typeof preparedReads>>();

/** The store's prepared reads (building and compiling the query each time cost more than running it). */
function prepared(store: Store): ReturnType<typeof preparedReads> {
  let reads = cache.get(store);
  if (reads === undefined) {
    reads = preparedReads(store);
    cache.set(store, reads);
  }
  return reads;
}

/** The user's role in the tenant, or undefined when not a member (committed state). */
export async function roleIn(store: Store, tenantId: string, userId: string): Promise<MemberRole | undefined> {
  return (await prepared(store).role.first([tenantId, userId]))?.role;
}

/** Every tenant the user belongs to, by name. */
export async function membershipsOf(store: Store, userId: string): Promise<Membership[]> {
  return store.db
    .selectFrom('memberships')
    .innerJoin('tenants', 'tenants.id', 'memberships.tenant_id')
    .select(['tenants.id as id', 'tenants.slug as slug', 'tenants.name as name', 'memberships.role as role'])
    .where('memberships.user_id', '=', userId)
    .orderBy('tenants.name')
    .execute();
}

/** The tenant with this slug. */
export async function tenantBySlug(store: Store, slug: string): Promise<TenantsTable | undefined> {
  return store.db.selectFrom('tenants').selectAll().where('slug', '=', slug.trim().toLowerCase()).executeTakeFirst();
}

/** The service account's current role in its tenant, or undefined when it no longer exists. */
export async function serviceAccountRole(
  store: Store,
  tenantId: string,
  serviceAccountId: string,
): Promise<MemberRole | undefined> {
  const row = await store.db
    .selectFrom('service_accounts')
    .select('role')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', serviceAccountId)
    .executeTakeFirst();
  return row?.role;
}

/** `findAccount`: a user as an OIDC account (claims for the `email` and `profile` scopes). */
export function accountFinder(store: Store) {
  return async (_ctx: KoaContextWithOIDC, sub: string): Promise<Account | undefined> => {
    const user = await prepared(store).user.first([sub]);
    if (user === undefined) return undefined;
    return {
      accountId: user.id,
      claims: () => ({
        sub: user.id,
        email: user.email,
        email_verified: user.email_verified === 1,
        name: user.name,
      }),
    };
  };
}
