/**
 * Test factories: build real rows through the real use cases, with unique defaults, so tests state only what
 * matters to them (`await buildTenant(db)`, `await buildUser(db, { tenantId, role: 'editor' })`).
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { grantMembership } from '../src/content/identity/membershipGranter.ts';
import { createTenant } from '../src/content/identity/tenantCreator.ts';
import { createUser } from '../src/content/identity/userCreator.ts';
import type { Database, MemberRole, TenantsTable, UsersTable } from '../src/data/store/schema.ts';

const unique = () => randomBytes(4).toString('hex');

/** Creates a tenant with a unique slug. */
export async function buildTenant(
  db: Kysely<Database>,
  overrides: { slug?: string; name?: string } = {},
): Promise<TenantsTable> {
  const slug = overrides.slug ?? `t-${unique()}`;
  return createTenant({ db, slug, name: overrides.name ?? `Tenant ${slug}`, actor: 'system' });
}

/** Creates a user (no password unless given) and, when `tenantId` is given, a membership with `role`. */
export async function buildUser(
  db: Kysely<Database>,
  props: { tenantId: string; role?: MemberRole; email?: string; password?: string },
): Promise<UsersTable> {
  const user = await createUser({
    db,
    tenantId: props.tenantId,
    email: props.email ?? `user-${unique()}@example.test`,
    name: 'Test User',
    ...(props.password === undefined ? {} : { password: props.password }),
    actor: 'system',
  });
  if (props.role !== undefined) {
    await grantMembership({ db, tenantId: props.tenantId, userId: user.id, role: props.role, actor: 'system' });
  }
  return user;
}
