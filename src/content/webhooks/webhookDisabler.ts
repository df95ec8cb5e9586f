/**
 * Disables a subscription on the receiver's behalf (it answered 410 Gone): no further events are fanned out to
 * it and its queued deliveries end unsent. Records `webhook.disabled` with the reason. A subscription already
 * disabled is left as it is (first reason kept), so concurrent 410s record one event.
 */
import type { Kysely } from 'kysely';
import { appendEvent } from '../../data/events/eventLog.ts';
import type { Database } from '../../data/store/schema.ts';
import { inTransaction } from '../../data/store/transaction.ts';
import { webhookDb } from './tables.ts';

/** Input of disableWebhook. */
export interface WebhookDisablerProps {
  /** The store, or a transaction to join. */
  readonly db: Kysely<Database>;
  readonly tenantId: string;
  readonly subscriptionId: string;
  /** Stored as `disabled_reason`, e.g. `receiver answered 410 Gone`. */
  readonly reason: string;
  /** Who disables it (`system` for the delivery worker). */
  readonly actor: string;
}

/** Disables the subscription; resolves true when this call disabled it, false when it was absent or already off. */
export async function disableWebhook(props: WebhookDisablerProps): Promise<boolean> {
  return inTransaction(props.db, async (trx) => {
    const now = new Date().toISOString();
    const result = await webhookDb(trx)
      .updateTable('webhook_subscriptions')
      .set({ disabled_at: now, disabled_reason: props.reason, updated_at: now })
      .where('tenant_id', '=', props.tenantId)
      .where('id', '=', props.subscriptionId)
      .where('disabled_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return false;
    await appendEvent(trx, {
      tenantId: props.tenantId,
      name: 'webhook.disabled',
      subjectId: props.subscriptionId,
      actor: props.actor,
      data: { reason: props.reason },
    });
    return true;
  });
}
