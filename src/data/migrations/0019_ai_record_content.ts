/**
 * A tenant's opt-in to recording AI message content in traces (`ai_tenant_settings.record_content`, 0 or 1).
 * Expand-only: a nullable column read as "off" when absent.
 */
import type { Migration } from './migration.ts';

export const migration: Migration = {
  async up(db) {
    await db.schema.alterTable('ai_tenant_settings').addColumn('record_content', 'bigint').execute();
  },
};
