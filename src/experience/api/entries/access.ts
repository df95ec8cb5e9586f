/**
 * What every content route does before its use case: resolve the tenant slug, check the caller belongs to that
 * tenant (first, so another tenant's slug and an unknown slug answer the same 404) and holds the API scope; and
 * the HTTP conditional-request rules of entries (strong ETags, If-Match, If-None-Match).
 */
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { versionFromEtag } from '../../../content/entries/types.ts';
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

/** The id of the tenant with `slug`, or undefined. */
export async function tenantIdOf(db: Kysely<Database>, slug: string): Promise<string | undefined> {
  const row = await db.selectFrom('tenants').select('id').where('slug', '=', slug).executeTakeFirst();
  return row?.id;
}

/**
 * Resolves `slug`, then checks the tenant (404 for an unknown slug or another tenant's), then the token's API
 * scope (403). Role checks are the use cases' policies.
 */
export async function tenantAccess(db: Kysely<Database>, request: FastifyRequest, slug: string): Promise<TenantAccess> {
  const tenantId = await tenantIdOf(db, slug);
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
