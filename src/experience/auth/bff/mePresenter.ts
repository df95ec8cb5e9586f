/**
 * Presents a Principal as the caller sees it: the token's facts plus the names behind its ids (tenant slug and
 * name, the user's email and name or the service account's name). Reads only rows of the principal's own tenant
 * and subject.
 */
import type { Store } from '../../../data/store/port.ts';
import { GalleyError } from '../../errors/errors.ts';
import type { Principal } from '../principal.ts';
import type { Me } from './schemas.ts';

/** The `GET /api/v1/me` body for `principal`; GALLEY_UNAUTHENTICATED when its tenant no longer exists. */
export async function presentMe(store: Store, principal: Principal): Promise<Me> {
  const db = store.db;
  const tenant = await db
    .selectFrom('tenants')
    .select(['id', 'slug', 'name'])
    .where('id', '=', principal.tenantId)
    .executeTakeFirst();
  if (tenant === undefined) throw new GalleyError('GALLEY_UNAUTHENTICATED', 'the token’s tenant no longer exists');
  const base = {
    kind: principal.kind,
    subject: principal.subject,
    tenant,
    role: principal.role,
    scopes: [...principal.scopes],
    expiresAt: new Date(principal.expiresAt * 1000).toISOString(),
  };
  if (principal.kind === 'user') {
    const user = await db
      .selectFrom('users')
      .select(['id', 'email', 'name'])
      .where('id', '=', principal.subject)
      .executeTakeFirst();
    return user === undefined ? base : { ...base, user };
  }
  const account = await db
    .selectFrom('service_accounts')
    .select(['id', 'name'])
    .where('id', '=', principal.subject)
    .where('tenant_id', '=', principal.tenantId)
    .executeTakeFirst();
  return account === undefined ? base : { ...base, serviceAccount: account };
}
