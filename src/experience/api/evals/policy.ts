/**
 * Who may read eval runs: owners and admins holding the API scope. Runs describe prompt versions and models on
 * fixed golden sets, not any tenant's content, so an administrator of any tenant may read them; editors and
 * below may not (they see AI results on their entries, not the quality gates).
 */
import type { MemberRole } from '../../../data/store/schema.ts';
import type { Principal } from '../../auth/principal.ts';
import { API_SCOPE } from '../../auth/tokenContract.ts';
import { GalleyError } from '../../errors/errors.ts';

/** Roles that read eval runs. */
export const EVAL_READER_ROLES: readonly MemberRole[] = Object.freeze(['owner', 'admin']);

/** Throws GALLEY_FORBIDDEN unless `principal` may read eval runs. */
export function authorizeEvalRead(principal: Pick<Principal, 'role' | 'scopes'>): void {
  if (!EVAL_READER_ROLES.includes(principal.role) || !principal.scopes.includes(API_SCOPE)) {
    throw new GalleyError('GALLEY_FORBIDDEN', 'eval runs need the owner or admin role');
  }
}
