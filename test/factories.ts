/**
 * Test factories: build real rows through the real use cases, with unique defaults, so tests state only what
 * matters to them (`await buildTenant(db)`, `await buildUser(db, { tenantId, role: 'editor' })`).
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { createEntry } from '../src/content/entries/entryCreator.ts';
import type { Entry } from '../src/content/entries/types.ts';
import { grantMembership } from '../src/content/identity/membershipGranter.ts';
import { createTenant } from '../src/content/identity/tenantCreator.ts';
import { createUser } from '../src/content/identity/userCreator.ts';
import { ARTICLE_TYPE } from '../src/content/sandboxContent.ts';
import { defineContentType } from '../src/content/types/contentTypeDefiner.ts';
import type { ContentType } from '../src/content/types/types.ts';
import { createBullmqQueue } from '../src/data/queue/bullmq/bullmqQueue.ts';
import type { Queue } from '../src/data/queue/port.ts';
import { createSqliteQueue } from '../src/data/queue/sqlite/sqliteQueue.ts';
import type { Store } from '../src/data/store/port.ts';
import type { Database, MemberRole, TenantsTable, UsersTable } from '../src/data/store/schema.ts';
import type { Principal } from '../src/experience/auth/principal.ts';
import { type Backend, TEST_REDIS_URL, uniqueName } from './support/backends.ts';

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

/** A principal as the auth layer would produce it (defaults: a user with role editor and a fresh subject). */
export function buildPrincipal(props: {
  tenantId: string;
  role?: MemberRole;
  subject?: string;
  kind?: 'user' | 'service';
}): Principal {
  return {
    kind: props.kind ?? 'user',
    subject: props.subject ?? `u-${unique()}`,
    tenantId: props.tenantId,
    role: props.role ?? 'editor',
    scopes: ['api'],
    tokenId: `jti-${unique()}`,
    expiresAt: Math.floor(Date.now() / 1000) + 3600,
  };
}

/** Defines the sandbox's `article` type (title, body, tags, slug) in the tenant. */
export async function buildArticleType(store: Store, tenantId: string): Promise<ContentType> {
  const { contentType } = await defineContentType({
    store,
    actor: buildPrincipal({ tenantId, role: 'owner' }),
    tenantId,
    definition: ARTICLE_TYPE,
  });
  return contentType;
}

/** Creates an entry (default: an article with a unique title) through createEntry. */
export async function buildEntry(
  store: Store,
  props: { tenantId: string; actor?: Principal; type?: string; fields?: Record<string, unknown> },
): Promise<Entry> {
  return createEntry({
    store,
    actor: props.actor ?? buildPrincipal({ tenantId: props.tenantId }),
    tenantId: props.tenantId,
    type: props.type ?? 'article',
    fields: props.fields ?? { title: `Entry ${unique()}` },
  });
}

/** The backend's real queue over `store`: the SQLite lease queue, or BullMQ under a fresh Redis prefix. */
export function buildQueue(backend: Backend, store: Store): Queue {
  return backend === 'embedded'
    ? createSqliteQueue(store, { pollMs: 50 })
    : createBullmqQueue({ url: TEST_REDIS_URL, prefix: uniqueName('q') });
}
