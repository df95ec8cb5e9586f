/**
 * Who may manage a tenant's webhooks: owners and admins of that tenant, holding the API scope. A webhook sends
 * the tenant's events to an outside URL, so it is an administrative act, not an editorial one. The tenant check
 * comes first: a caller from another tenant learns nothing (404, as for a tenant that does not exist).
 */
import type { MemberRole } from '../../data/store/schema.ts';
import { API_SCOPE } from '../../experience/auth/tokenContract.ts';
import { GalleyError } from '../../experience/errors/errors.ts';

/** What the policy reads of a caller. */
export interface WebhookActor {
  readonly tenantId: string;
  readonly role: MemberRole;
  readonly scopes: readonly string[];
}

/** Roles that manage webhooks. */
export const WEBHOOK_MANAGER_ROLES: readonly MemberRole[] = Object.freeze(['owner', 'admin']);

/** True when `actor` may list, create, change, delete and redeliver the webhooks of `tenantId`. */
export function canManageWebhooks(actor: WebhookActor, tenantId: string): boolean {
  if (actor.tenantId !== tenantId) return false;
  return WEBHOOK_MANAGER_ROLES.includes(actor.role) && actor.scopes.includes(API_SCOPE);
}

/** Throws GALLEY_NOT_FOUND for another tenant, GALLEY_FORBIDDEN for a role or token that may not manage webhooks. */
export function authorizeWebhookManagement(actor: WebhookActor, tenantId: string): void {
  if (actor.tenantId !== tenantId) throw new GalleyError('GALLEY_NOT_FOUND', 'tenant not found');
  if (!canManageWebhooks(actor, tenantId)) {
    throw new GalleyError('GALLEY_FORBIDDEN', 'managing webhooks needs the owner or admin role');
  }
}
