/**
 * Per-tenant upstream OpenID Connect providers (SSO). The client secret is sealed under a purpose key derived from
 * the master secret; `domains` is a JSON array of lowercase email domains granted just-in-time membership.
 */
import { sql } from 'kysely';
import type { Migration } from './migration.ts';

export const migration: Migration = {
  async up(db) {
    await db.schema
      .createTable('sso_providers')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('issuer', 'text', (c) => c.notNull())
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('client_secret_sealed', 'text', (c) => c.notNull())
      .addColumn('domains', 'text', (c) => c.notNull())
      .addColumn('default_role', 'text', (c) =>
        c.notNull().check(sql`default_role in ('owner','admin','editor','author','viewer')`),
      )
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('sso_providers_tenant_name_idx')
      .ifNotExists()
      .unique()
      .on('sso_providers')
      .columns(['tenant_id', 'name'])
      .execute();
  },
};
