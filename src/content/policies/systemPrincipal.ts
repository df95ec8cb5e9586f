/**
 * The principal Galley itself acts as (seeders, migrations of content, scheduled jobs started by the system): a
 * service identity with the owner role in one tenant. Its events record the actor `system`.
 */
import type { Principal } from '../../experience/auth/principal.ts';

/** Subject of the system principal. */
export const SYSTEM_SUBJECT = 'system';

/** The system principal of `tenantId`. */
export function systemPrincipal(tenantId: string): Principal {
  return Object.freeze({
    kind: 'service',
    subject: SYSTEM_SUBJECT,
    tenantId,
    role: 'owner',
    scopes: Object.freeze([]),
    tokenId: 'system',
    expiresAt: Number.MAX_SAFE_INTEGER,
  });
}
