/**
 * Idempotency keys (src/experience/http/idempotency.ts): one row per key, scoped by tenant, principal subject,
 * method and route. `scope` is the sha256 of those parts and the key; `request_hash` fingerprints the request
 * the key was first used with. A row is `pending` while its first request runs (`locked_until` lets another
 * process take over a key whose owner died) and `done` once the answer (status, chosen headers, body) is stored;
 * `expires_at` (epoch ms) ends its 24 h life.
 */
import { sql } from 'kysely';
import type { Migration } from './migration.ts';

export const migration: Migration = {
  async up(db) {
    await db.schema
      .createTable('idempotency_keys')
      .ifNotExists()
      .addColumn('scope', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('request_hash', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('pending','done')`))
      .addColumn('status_code', 'bigint')
      .addColumn('headers', 'text')
      .addColumn('body', 'text')
      .addColumn('locked_until', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    // The purge of expired keys.
    await db.schema
      .createIndex('idempotency_keys_expires_idx')
      .ifNotExists()
      .on('idempotency_keys')
      .column('expires_at')
      .execute();
  },
};
