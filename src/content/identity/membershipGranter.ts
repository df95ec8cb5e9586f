/**
 * Grants a user a role in a tenant, or changes the role they have. Records `membership.granted`.
 */
import type { Kysely } from 'kysely';
import { appendEvent } from '../../data/events/eventLog.ts';
import { type Database, MEMBER_ROLES, type MemberRole, type MembershipsTable } from '../../data/store/schema.ts';
import { inTransaction } from '../../data/store/transaction.ts';
import { GalleyError } from '../../experience/errors/errors.ts';

/** Input of grantMembership. */
export interface MembershipGranterProps {
  /** The store, or a transaction to join. */
  readonly db: Kysely<Database>;
  readonly tenantId: string;
  readonly userId: string;
  readonly role: MemberRole;
  /** Who grants it. */
  readonly actor: string;
}

/** Upserts the membership; GALLEY_NOT_FOUND when the tenant or user does not exist. */
export async function grantMembership(props: MembershipGranterProps): Promise<MembershipsTable> {
  if (!MEMBER_ROLES.includes(props.role)) {
    throw new GalleyError('GALLEY_VALIDATION_FAILED', `unknown role "${props.role}"`, {
      errors: [{ field: '/role', message: `must be one of ${MEMBER_ROLES.join(', ')}` }],
    });
  }
  return inTransaction(props.db, async (trx) => {
    const tenant = await trx.selectFrom('tenants').select('id').where('id', '=', props.tenantId).executeTakeFirst();
    const user = await trx.selectFrom('users').select('id').where('id', '=', props.userId).executeTakeFirst();
    if (tenant === undefined || user === undefined)
      throw new GalleyError('GALLEY_NOT_FOUND', 'tenant or user not found');
    const membership: MembershipsTable = {
      tenant_id: props.tenantId,
      user_id: props.userId,
      role: props.role,
      created_at: new Date().toISOString(),
    };
    await trx
      .insertInto('memberships')
      .values(membership)
      .onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doUpdateSet({ role: props.role }))
      .execute();
    await appendEvent(trx, {
      tenantId: props.tenantId,
      name: 'membership.granted',
      subjectId: props.userId,
      actor: props.actor,
      data: { role: props.role },
    });
    return membership;
  });
}
