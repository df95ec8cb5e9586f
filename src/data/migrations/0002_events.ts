/**
 * The event log (src/data/events): `events` (append-only, global `position`, gap-free per-tenant `seq`),
 * `tenant_event_seq` (the per-tenant counter whose row lock serializes a tenant's appends), and
 * `projection_checkpoints` (per projection and tenant, the last seq applied).
 *
 * No foreign key to `tenants`: events are immutable and must outlive any cascade that removes tenant rows.
 */
import type { Migration } from './migration.ts';

export const migration: Migration = {
  async up(db, dialect) {
    const events = db.schema.createTable('events').ifNotExists();
    await (dialect === 'postgres'
      ? events.addColumn('position', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
      : // AUTOINCREMENT: a position is never handed out twice, even after the newest row is rolled back.
        events.addColumn('position', 'integer', (c) => c.primaryKey().autoIncrement())
    )
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('subject_id', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('occurred_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('events_tenant_seq_key', ['tenant_id', 'seq'])
      .execute();
    await db.schema
      .createIndex('events_name_position_idx')
      .ifNotExists()
      .on('events')
      .columns(['name', 'position'])
      .execute();
    await db.schema
      .createTable('tenant_event_seq')
      .ifNotExists()
      .addColumn('tenant_id', 'text', (c) => c.primaryKey())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('projection_checkpoints')
      .ifNotExists()
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('projection_checkpoints_pkey', ['name', 'tenant_id'])
      .execute();
  },
};
