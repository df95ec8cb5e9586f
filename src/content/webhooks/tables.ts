/** Row types of the webhook tables (migration 0011) and the typed handle over them. */
import type { Kysely } from 'kysely';
import type { Database } from '../../data/store/schema.ts';

/** One subscription of a tenant to some event names. */
export interface WebhookSubscriptionsTable {
  id: string;
  tenant_id: string;
  url: string;
  /** JSON array of event names or patterns (`entry.*`). */
  events: string;
  /** The signing secret, sealed under `deriveKey(secret, WEBHOOK_SECRET_PURPOSE)`. */
  secret_sealed: string;
  description: string;
  /** The tenant's event seq when the subscription was created; only later events are delivered. */
  start_seq: number;
  disabled_at: string | null;
  disabled_reason: string | null;
  created_at: string;
  updated_at: string;
}

/** Outcome of one delivery attempt. */
export const DELIVERY_STATUSES = ['delivered', 'retrying', 'failed', 'gone', 'refused'] as const;
/** One delivery attempt outcome: `retrying` failed and will be retried, `failed` was the last attempt. */
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One attempt to deliver one event to one subscription. */
export interface WebhookDeliveriesTable {
  /** The attempt. */
  id: string;
  tenant_id: string;
  subscription_id: string;
  /** The logical delivery (the `Galley-Delivery` header), shared by its retries. */
  delivery_id: string;
  event_seq: number;
  event_name: string;
  attempt: number;
  status: DeliveryStatus;
  response_status: number | null;
  response_ms: number | null;
  error: string | null;
  created_at: string;
}

/** Per tenant: the last event seq the dispatcher has fanned out. */
export interface WebhookDispatchCheckpointsTable {
  tenant_id: string;
  seq: number;
  updated_at: string;
}

/** The webhook tables alone. */
export type WebhookOnlyTables = {
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_dispatch_checkpoints: WebhookDispatchCheckpointsTable;
};

/** The identity schema plus the webhook tables. */
export type WebhookTables = Database & WebhookOnlyTables;

/** The store (or a transaction) typed over the identity and webhook tables. */
export function webhookDb(db: Kysely<Database>): Kysely<WebhookTables> {
  return db.withTables<WebhookOnlyTables>();
}
