/**
 * What every content route does before its use case: resolve the tenant slug, check the caller belongs to that
 * tenant (first, so another tenant's slug and an unknown slug answer the same 404) and holds the API scope; and
 * the HTTP conditional-request rules of entries (strong ETags, If-Match, If-None-Match).
 */
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { versionFromEtag } from '../../../content/entries/types.ts';
import type { PreparedRead, Store } from '../../../data/store/port.ts';
import type { Database } from '../../../data/store/schema.ts';
import type { Principal } from '../../auth/principal.ts';
import { API_SCOPE } from '../../auth/tokenContract.ts';
import { requireTenantAccess } from '../../auth/verify/authenticate.ts';
import { GalleyError } from '../../errors/errors.ts';

/** The caller and the tenant a content route acts in. */
export interface TenantAccess {
  readonly tenantId: string;
  readonly principal: Principal;
}

function slugQuery(db: Kysely<Database>, slug: string) {
  return db.selectFrom('tenants').select('id').where('slug', '=', slug);
}

const prepared = new WeakMap<Store, PreparedRead<{ id: string }>>();

/**
 * The id of the tenant with `slug`, or undefined. Every content request asks this first, so given the store it
 * runs as a prepared read (compiled once per store) rather than building and compiling the query each time.
 */
export async function tenantIdOf(from: Kysely<Database> | Store, slug: string): Promise<string | undefined> {
  if (!('prepare' in from)) return (await slugQuery(from, slug).executeTakeFirst())?.id;
  let read = prepared.get(from);
  if (read === undefined) {
    read = from.prepare(slugQuery(from.db, ''));
    prepared.set(from, read);
  }
  return (await read.first([slug]))?.id;
}

/**
 * Resolves `slug`, then checks the tenant (404 for an unknown slug or another tenant's), then the token's API
 * scope (403). Role checks are the use cases' policies. Pass the store (not its `db`) to use the prepared lookup.
 */
export async function tenantAccess(
  from: Kysely<Database> | Store,
  request: FastifyRequest,
  slug: string,
): Promise<TenantAccess> {
  const tenantId = await tenantIdOf(from, slug);
  if (tenantId === undefined) throw new GalleyError('GALLEY_NOT_FOUND', 'tenant not found');
  const principal = requireTenantAccess(request, tenantId);
  if (!principal.scopes.includes(API_SCOPE)) {
    throw new GalleyError('GALLEY_FORBIDDEN', `the token lacks the "${API_SCOPE}" scope`);
  }
  return { tenantId, principal };
}

function headerValue(request: FastifyRequest, name: 'if-match' | 'if-none-match'): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * The version `If-Match` names for entry `id`. Without the header: 428 when `required`, else undefined (no
 * check). A header naming no version of this entry (another entry's ETag, a weak one, `*`, a list) can never
 * match the current version, so it becomes 0, which the use case answers with 412 and the current version.
 */
export function ifMatchVersion(request: FastifyRequest, id: string, required: boolean): number | undefined {
  const header = headerValue(request, 'if-match');
  if (header === undefined || header.trim() === '') {
    if (!required) return undefined;
    throw new GalleyError('GALLEY_PRECONDITION_REQUIRED', 'send If-Match with the ETag of the version you edited');
  }
  return versionFromEtag(header, id) ?? 0;
}

/** True when `If-None-Match` matches `etag` (weak comparison, lists and `*` understood): answer 304. */
export function notModified(request: FastifyRequest, etag: string): boolean {
  const header = headerValue(request, 'if-none-match');
  if (header === undefined) return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}
