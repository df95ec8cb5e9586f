/**
 * Who may do what with content. One rule per action; every rule checks the tenant first (a principal of another
 * tenant is told "not found", so it cannot even learn that a resource exists), then the role:
 *
 * | action                          | owner | admin | editor | author     | viewer |
 * |---------------------------------|-------|-------|--------|------------|--------|
 * | read, list, revisions, types    | yes   | yes   | yes    | yes        | yes    |
 * | create                          | yes   | yes   | yes    | yes        | no     |
 * | update, delete, restore         | yes   | yes   | yes    | own only   | no     |
 * | publish, unpublish, schedule    | yes   | yes   | yes    | no         | no     |
 * | define content types            | yes   | yes   | no     | no         | no     |
 *
 * Service accounts act with the role they were given. "Own" means the entry's authorId is the principal's subject.
 */
import type { MemberRole } from '../../data/store/schema.ts';
import type { Principal } from '../../experience/auth/principal.ts';
import { GalleyError } from '../../experience/errors/errors.ts';

/** Every content action a policy rules on. */
export const CONTENT_ACTIONS = [
  'entry.read',
  'entry.list',
  'entry.revisions',
  'entry.create',
  'entry.update',
  'entry.delete',
  'entry.restore',
  'entry.publish',
  'entry.unpublish',
  'entry.schedule',
  'contentType.read',
  'contentType.define',
] as const;
/** One content action. */
export type ContentAction = (typeof CONTENT_ACTIONS)[number];

/** What a rule looks at: the tenant the resource lives in and, for entries, who wrote it. */
export interface ContentResource {
  readonly tenantId: string;
  /** The entry's author (principal subject); absent for tenant-wide actions (create, list, types). */
  readonly authorId?: string;
}

/** The part of a Principal the rules read. */
export type PolicySubject = Pick<Principal, 'kind' | 'subject' | 'tenantId' | 'role'>;

type Rule = (principal: PolicySubject, resource: ContentResource) => boolean;

const EDITORS: readonly MemberRole[] = ['owner', 'admin', 'editor'];
const WRITERS: readonly MemberRole[] = ['owner', 'admin', 'editor', 'author'];
const ADMINS: readonly MemberRole[] = ['owner', 'admin'];

/** Any member reads. */
const anyMember: Rule = () => true;
/** Editors and above on any entry; authors on their own. */
const editorsOrOwnAuthor: Rule = (p, r) =>
  EDITORS.includes(p.role) || (p.role === 'author' && r.authorId !== undefined && r.authorId === p.subject);

const RULES: Readonly<Record<ContentAction, Rule>> = {
  'entry.read': anyMember,
  'entry.list': anyMember,
  'entry.revisions': anyMember,
  'entry.create': (p) => WRITERS.includes(p.role),
  'entry.update': editorsOrOwnAuthor,
  'entry.delete': editorsOrOwnAuthor,
  'entry.restore': editorsOrOwnAuthor,
  'entry.publish': (p) => EDITORS.includes(p.role),
  'entry.unpublish': (p) => EDITORS.includes(p.role),
  'entry.schedule': (p) => EDITORS.includes(p.role),
  'contentType.read': anyMember,
  'contentType.define': (p) => ADMINS.includes(p.role),
};

/** True when `principal` may do `action` on `resource` (tenant check first). */
export function can(action: ContentAction, principal: PolicySubject, resource: ContentResource): boolean {
  if (principal.tenantId !== resource.tenantId) return false;
  return RULES[action](principal, resource);
}

/**
 * Throws unless `principal` may do `action` on `resource`: GALLEY_NOT_FOUND for another tenant's resource (so
 * its existence does not leak), GALLEY_FORBIDDEN for a member whose role does not allow it.
 */
export function authorize(action: ContentAction, principal: PolicySubject, resource: ContentResource): void {
  if (principal.tenantId !== resource.tenantId) throw new GalleyError('GALLEY_NOT_FOUND', 'not found');
  if (!RULES[action](principal, resource)) {
    throw new GalleyError('GALLEY_FORBIDDEN', `role ${principal.role} may not ${action.replace('.', ' ')}`);
  }
}
