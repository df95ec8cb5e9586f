/**
 * Sends an earlier delivery's event again to its subscription, as a new delivery (new `Galley-Delivery` id, full
 * retry schedule) — for a receiver that lost or mishandled it, or one that was dead-lettered. Records
 * `webhook.redelivered`.
 */
import type { Kysely } from 'kysely';
import { appendEvent } from '../../data/events/eventLog.ts';
import type { Queue } from '../../data/queue/port.ts';
import type { Database } from '../../data/store/schema.ts';
import { GalleyError } from '../../experience/errors/errors.ts';
import { newId } from '../identity/ids.ts';
import { findDeliveryAttempt } from './deliveryLog.ts';
import { DEFAULT_DELIVERY_RETRY, type DeliveryRetry, enqueueDelivery } from './deliveryQueue.ts';
import { getSubscriptionRow } from './subscriptions.ts';

/** Input of redeliverWebhook. */
export interface WebhookRedelivererProps {
  readonly db: Kysely<Database>;
  readonly queue: Queue;
  readonly tenantId: string;
  /** The delivery to repeat: its delivery id or the id of one of its attempts. */
  readonly deliveryId: string;
  /** When given (HTTP route), the delivery must belong to this subscription. */
  readonly subscriptionId?: string;
  /** Retry schedule of the new delivery; default DEFAULT_DELIVERY_RETRY. */
  readonly retry?: DeliveryRetry;
  /** Who asks. */
  readonly actor: string;
}

/** The new delivery. */
export interface Redelivery {
  readonly deliveryId: string;
  readonly subscriptionId: string;
  readonly seq: number;
  /** The queued job. */
  readonly jobId: string;
}

/**
 * Queues the redelivery. GALLEY_NOT_FOUND when the tenant has no such delivery (or it belongs to another
 * subscription than the one named), GALLEY_CONFLICT when the subscription is disabled.
 */
export async function redeliverWebhook(props: WebhookRedelivererProps): Promise<Redelivery> {
  const original = await findDeliveryAttempt(props.db, props.tenantId, props.deliveryId);
  if (
    original === undefined ||
    (props.subscriptionId !== undefined && original.subscriptionId !== props.subscriptionId)
  ) {
    throw new GalleyError('GALLEY_NOT_FOUND', 'webhook delivery not found');
  }
  const subscription = await getSubscriptionRow(props.db, props.tenantId, original.subscriptionId);
  if (subscription.disabled_at !== null) {
    throw new GalleyError('GALLEY_CONFLICT', 'the webhook is disabled; enable it before redelivering');
  }
  const deliveryId = newId();
  const job = await enqueueDelivery(
    props.queue,
    {
      deliveryId,
      tenantId: props.tenantId,
      subscriptionId: subscription.id,
      seq: original.seq,
      redeliveryOf: original.deliveryId,
    },
    props.retry ?? DEFAULT_DELIVERY_RETRY,
    `webhook-redelivery:${deliveryId}`,
  );
  await appendEvent(props.db, {
    tenantId: props.tenantId,
    name: 'webhook.redelivered',
    subjectId: subscription.id,
    actor: props.actor,
    data: { deliveryId, of: original.deliveryId, seq: original.seq, event: original.event },
  });
  return { deliveryId, subscriptionId: subscription.id, seq: original.seq, jobId: job.id };
}
