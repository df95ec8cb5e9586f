/**
 * AI task feature flags (src/intelligence/flags): the durable source of truth behind the in-process snapshots.
 *
 * - `feature_flags` holds the current definition (JSON) of each flag that has been set, with the flag-set version
 *   of the change that wrote it; a task without a row runs on its built-in definition.
 * - `feature_flag_events` is the audit trail: every change, its before and after definitions, actor and time,
 *   keyed by the flag-set version it produced (so versions are unique and gap-free).
 * - `feature_flag_head` has one row (`flags`) holding the latest version; a change bumps it with an upsert …
 *   returning, whose row lock serializes concurrent changes on PostgreSQL (SQLite serializes writes anyway).
 */
import type { Migration } from './migration.ts';

export const migration: Migration = {
  async up(db) {
    await db.schema
      .createTable('feature_flags')
      .ifNotExists()
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('definition', 'text', (c) => c.notNull())
      .addColumn('version', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('feature_flag_events')
      .ifNotExists()
      .addColumn('version', 'bigint', (c) => c.primaryKey())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('from_definition', 'text')
      .addColumn('to_definition', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .execute();
    // One flag's history, newest first.
    await db.schema
      .createIndex('feature_flag_events_key_idx')
      .ifNotExists()
      .on('feature_flag_events')
      .columns(['key', 'version'])
      .execute();

    await db.schema
      .createTable('feature_flag_head')
      .ifNotExists()
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('version', 'bigint', (c) => c.notNull())
      .execute();
  },
};
