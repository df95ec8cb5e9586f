/**
 * Who may use the AI features. Tenant check first in every rule (another tenant's principal is told "not
 * found"), then the role:
 *
 * | action                              | owner | admin | editor | author   | viewer |
 * |-------------------------------------|-------|-------|--------|----------|--------|
 * | ai.run (a task on an entry)         | yes   | yes   | yes    | own only | no     |
 * | ai.job.read, ai.usage.read          | yes   | yes   | yes    | yes      | yes    |
 * | ai.audit.read, ai.settings.write    | yes   | yes   | no     | no       | no     |
 *
 * AI help writes nothing to the entry, but it spends the tenant's budget, so it follows the entry's update rule.
 */

import type { PolicySubject } from '../content/policies/contentPolicies.ts';
import type { MemberRole } from '../data/store/schema.ts';
import { GalleyError } from '../experience/errors/errors.ts';

/** Every AI action a policy rules on. */
export const AI_ACTIONS = ['ai.run', 'ai.job.read', 'ai.usage.read', 'ai.audit.read', 'ai.settings.write'] as const;
/** One AI action. */
export type AiAction = (typeof AI_ACTIONS)[number];

/** The tenant the action happens in and, for `ai.run`, the entry's author. */
export interface AiResource {
  readonly tenantId: string;
  readonly authorId?: string;
}

const EDITORS: readonly MemberRole[] = ['owner', 'admin', 'editor'];
const ADMINS: readonly MemberRole[] = ['owner', 'admin'];

const RULES: Readonly<Record<AiAction, (p: PolicySubject, r: AiResource) => boolean>> = {
  'ai.run': (p, r) => EDITORS.includes(p.role) || (p.role === 'author' && r.authorId === p.subject),
  'ai.job.read': () => true,
  'ai.usage.read': () => true,
  'ai.audit.read': (p) => ADMINS.includes(p.role),
  'ai.settings.write': (p) => ADMINS.includes(p.role),
};

/** Throws GALLEY_NOT_FOUND across tenants, GALLEY_FORBIDDEN for a role the rule refuses. */
export function authorizeAi(action: AiAction, principal: PolicySubject, resource: AiResource): void {
  if (principal.tenantId !== resource.tenantId) throw new GalleyError('GALLEY_NOT_FOUND', 'not found');
  if (!RULES[action](principal, resource)) {
    throw new GalleyError('GALLEY_FORBIDDEN', `role ${principal.role} may not ${action}`);
  }
}
