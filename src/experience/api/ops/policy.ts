/**
 * Who may read the ops summary: owners and admins holding the API scope. The summary is about the process, not a
 * tenant (request rates by route template, queue depths, cache ratios, memory): it names no tenant, entry or
 * user, so an administrator of any tenant may read it; editors and below may not.
 */
import type { MemberRole } from '../../../data/store/schema.ts';
import type { Principal } from '../../auth/principal.ts';
import { API_SCOPE } from '../../auth/tokenContract.ts';
import { GalleyError } from '../../errors/errors.ts';

/** Roles that read operational data. */
export const OPS_READER_ROLES: readonly MemberRole[] = Object.freeze(['owner', 'admin']);

/** True when `principal` may read the ops summary. */
export function canReadOps(principal: Pick<Principal, 'role' | 'scopes'>): boolean {
  return OPS_READER_ROLES.includes(principal.role) && principal.scopes.includes(API_SCOPE);
}

/** Throws GALLEY_FORBIDDEN unless `principal` may read the ops summary. */
export function authorizeOpsRead(principal: Pick<Principal, 'role' | 'scopes'>): void {
  if (!canReadOps(principal)) throw new GalleyError('GALLEY_FORBIDDEN', 'ops data needs the owner or admin role');
}
