/** Deletes a subscription with its delivery log; records `webhook.deleted`. Jobs still queued for it find nothing and end. */
import type { Kysely } from 'kysely';
import { appendEvent } from '../../data/events/eventLog.ts';
import type { Database } from '../../data/store/schema.ts';
import { inTransaction } from '../../data/store/transaction.ts';
import { getSubscriptionRow } from './subscriptions.ts';
import { webhookDb } from './tables.ts';

/** Input of deleteWebhook. */
export interface WebhookDeleterProps {
  /** The store, or a transaction to join. */
  readonly db: Kysely<Database>;
  readonly tenantId: string;
  readonly subscriptionId: string;
  /** Who deletes it. */
  readonly actor: string;
}

/** Deletes the subscription; GALLEY_NOT_FOUND when the tenant has none with that id. */
export async function deleteWebhook(props: WebhookDeleterProps): Promise<void> {
  await inTransaction(props.db, async (trx) => {
    const row = await getSubscriptionRow(trx, props.tenantId, props.subscriptionId);
    const db = webhookDb(trx);
    // Explicit, not left to the foreign key: SQLite does not enforce foreign keys here.
    await db
      .deleteFrom('webhook_deliveries')
      .where('tenant_id', '=', props.tenantId)
      .where('subscription_id', '=', row.id)
      .execute();
    await db
      .deleteFrom('webhook_subscriptions')
      .where('tenant_id', '=', props.tenantId)
      .where('id', '=', row.id)
      .execute();
    await appendEvent(trx, {
      tenantId: props.tenantId,
      name: 'webhook.deleted',
      subjectId: row.id,
      actor: props.actor,
      data: { host: new URL(row.url).host },
    });
  });
}
