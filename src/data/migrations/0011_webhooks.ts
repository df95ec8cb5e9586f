/**
 * Webhooks (src/content/webhooks): per-tenant subscriptions, the delivery log (one row per attempt) and the
 * dispatcher's per-tenant checkpoint into the event log.
 *
 * - `webhook_subscriptions.events` is a JSON array of event names or patterns (`entry.*`); `secret_sealed` is the
 *   signing secret sealed under `deriveKey(secret, 'webhook-secrets')`; `start_seq` is the tenant's event seq
 *   at creation (the `webhook.created` event), so a subscription never receives events older than itself.
 * - `webhook_deliveries.delivery_id` names one logical delivery (the `Galley-Delivery` header), shared by its
 *   retries; `id` names one attempt. Rows go with their subscription (cascade).
 * - `webhook_dispatch_checkpoints.seq` is the last event seq of the tenant already fanned out.
 */
import { sql } from 'kysely';
import type { Migration } from './migration.ts';

export const migration: Migration = {
  async up(db) {
    await db.schema
      .createTable('webhook_subscriptions')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('events', 'text', (c) => c.notNull())
      .addColumn('secret_sealed', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('start_seq', 'bigint', (c) => c.notNull())
      .addColumn('disabled_at', 'text')
      .addColumn('disabled_reason', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('webhook_subscriptions_tenant_idx')
      .ifNotExists()
      .on('webhook_subscriptions')
      .columns(['tenant_id', 'id'])
      .execute();

    await db.schema
      .createTable('webhook_deliveries')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('subscription_id', 'text', (c) =>
        c.notNull().references('webhook_subscriptions.id').onDelete('cascade'),
      )
      .addColumn('delivery_id', 'text', (c) => c.notNull())
      .addColumn('event_seq', 'bigint', (c) => c.notNull())
      .addColumn('event_name', 'text', (c) => c.notNull())
      .addColumn('attempt', 'bigint', (c) => c.notNull())
      .addColumn('status', 'text', (c) =>
        c.notNull().check(sql`status in ('delivered','retrying','failed','gone','refused')`),
      )
      .addColumn('response_status', 'bigint')
      .addColumn('response_ms', 'bigint')
      .addColumn('error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    // Newest-first pages of one subscription's log (ids are UUIDv7, so id order is time order).
    await db.schema
      .createIndex('webhook_deliveries_subscription_idx')
      .ifNotExists()
      .on('webhook_deliveries')
      .columns(['subscription_id', 'id'])
      .execute();
    await db.schema
      .createIndex('webhook_deliveries_delivery_idx')
      .ifNotExists()
      .on('webhook_deliveries')
      .columns(['delivery_id'])
      .execute();

    await db.schema
      .createTable('webhook_dispatch_checkpoints')
      .ifNotExists()
      .addColumn('tenant_id', 'text', (c) => c.primaryKey())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
  },
};
