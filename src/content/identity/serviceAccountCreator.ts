/**
 * Creates a service account: a machine identity inside one tenant (CI imports, integrations). Its OAuth client
 * is issued by the auth layer. Records `service_account.created`.
 */
import type { Kysely } from 'kysely';
import { appendEvent } from '../../data/events/eventLog.ts';
import { type Database, MEMBER_ROLES, type MemberRole, type ServiceAccountsTable } from '../../data/store/schema.ts';
import { inTransaction } from '../../data/store/transaction.ts';
import { GalleyError } from '../../experience/errors/errors.ts';
import { newId } from './ids.ts';

/** Input of createServiceAccount. */
export interface ServiceAccountCreatorProps {
  /** The store, or a transaction to join. */
  readonly db: Kysely<Database>;
  readonly tenantId: string;
  readonly name: string;
  /** Role the account acts with; owner is reserved for people. */
  readonly role: MemberRole;
  /** Who creates it. */
  readonly actor: string;
}

/** Creates the account; GALLEY_NOT_FOUND for an unknown tenant, GALLEY_VALIDATION_FAILED for bad input. */
export async function createServiceAccount(props: ServiceAccountCreatorProps): Promise<ServiceAccountsTable> {
  const name = props.name.trim();
  if (name.length === 0 || name.length > 200) {
    throw new GalleyError('GALLEY_VALIDATION_FAILED', 'service account name must be 1–200 characters', {
      errors: [{ field: '/name', message: 'must be 1–200 characters' }],
    });
  }
  if (!MEMBER_ROLES.includes(props.role) || props.role === 'owner') {
    throw new GalleyError('GALLEY_VALIDATION_FAILED', 'service accounts take admin, editor, author or viewer', {
      errors: [{ field: '/role', message: 'must be admin, editor, author or viewer' }],
    });
  }
  return inTransaction(props.db, async (trx) => {
    const tenant = await trx.selectFrom('tenants').select('id').where('id', '=', props.tenantId).executeTakeFirst();
    if (tenant === undefined) throw new GalleyError('GALLEY_NOT_FOUND', 'tenant not found');
    const account: ServiceAccountsTable = {
      id: newId(),
      tenant_id: props.tenantId,
      name,
      role: props.role,
      created_at: new Date().toISOString(),
    };
    await trx.insertInto('service_accounts').values(account).execute();
    await appendEvent(trx, {
      tenantId: props.tenantId,
      name: 'service_account.created',
      subjectId: account.id,
      actor: props.actor,
      data: { name, role: props.role },
    });
    return account;
  });
}
