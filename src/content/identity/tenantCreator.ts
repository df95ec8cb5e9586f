/**
 * Creates a tenant (a publication): the unit of isolation for every tenant-owned row. Records `tenant.created`.
 */
import type { Kysely } from 'kysely';
import { appendEvent } from '../../data/events/eventLog.ts';
import type { Database, TenantsTable } from '../../data/store/schema.ts';
import { inTransaction } from '../../data/store/transaction.ts';
import { GalleyError } from '../../experience/errors/errors.ts';
import { newId } from './ids.ts';

/** Lowercase letters, digits and inner hyphens; 2–63 characters (usable in URLs and hostnames). */
export const TENANT_SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Input of createTenant. */
export interface TenantCreatorProps {
  /** The store, or a transaction to join. */
  readonly db: Kysely<Database>;
  /** URL-safe unique handle, e.g. `sandbox`. */
  readonly slug: string;
  /** Display name. */
  readonly name: string;
  /** Who creates it: `user:<id>`, `service:<id>` or `system`. */
  readonly actor: string;
}

/** Creates the tenant; GALLEY_VALIDATION_FAILED for a bad slug or name, GALLEY_CONFLICT when the slug is taken. */
export async function createTenant(props: TenantCreatorProps): Promise<TenantsTable> {
  if (!TENANT_SLUG.test(props.slug) || props.slug.length < 2) {
    throw new GalleyError('GALLEY_VALIDATION_FAILED', 'tenant slug must be 2–63 lowercase letters, digits or hyphens', {
      errors: [{ field: '/slug', message: 'must match ^[a-z0-9][a-z0-9-]*[a-z0-9]$ (2–63 characters)' }],
    });
  }
  const name = props.name.trim();
  if (name.length === 0 || name.length > 200) {
    throw new GalleyError('GALLEY_VALIDATION_FAILED', 'tenant name must be 1–200 characters', {
      errors: [{ field: '/name', message: 'must be 1–200 characters' }],
    });
  }
  return inTransaction(props.db, async (trx) => {
    const taken = await trx.selectFrom('tenants').select('id').where('slug', '=', props.slug).executeTakeFirst();
    if (taken !== undefined) throw new GalleyError('GALLEY_CONFLICT', `tenant "${props.slug}" already exists`);
    const tenant: TenantsTable = { id: newId(), slug: props.slug, name, created_at: new Date().toISOString() };
    await trx.insertInto('tenants').values(tenant).execute();
    await appendEvent(trx, {
      tenantId: tenant.id,
      name: 'tenant.created',
      subjectId: tenant.id,
      actor: props.actor,
      data: { slug: tenant.slug, name: tenant.name },
    });
    return tenant;
  });
}
