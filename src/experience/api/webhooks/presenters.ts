/** API JSON of webhooks and their delivery log; no row or secret leaves the server unpresented. */
import type { WebhookDeliveryAttempt } from '../../../content/webhooks/deliveryLog.ts';
import type { WebhookSubscription } from '../../../content/webhooks/subscriptions.ts';
import type { DeliveryAttemptJson, WebhookJson } from './schemas.ts';

/** Presents a subscription of the tenant with slug `tenantSlug`. */
export function presentWebhook(subscription: WebhookSubscription, tenantSlug: string): WebhookJson {
  return {
    id: subscription.id,
    tenant: tenantSlug,
    url: subscription.url,
    events: [...subscription.events],
    description: subscription.description,
    enabled: subscription.disabledAt === null,
    disabledAt: subscription.disabledAt,
    disabledReason: subscription.disabledReason,
    createdAt: subscription.createdAt,
    updatedAt: subscription.updatedAt,
  };
}

/** Presents one attempt. */
export function presentDeliveryAttempt(attempt: WebhookDeliveryAttempt): DeliveryAttemptJson {
  return {
    id: attempt.id,
    deliveryId: attempt.deliveryId,
    webhookId: attempt.subscriptionId,
    seq: attempt.seq,
    event: attempt.event,
    attempt: attempt.attempt,
    status: attempt.status,
    responseStatus: attempt.responseStatus,
    responseMs: attempt.responseMs,
    error: attempt.error,
    createdAt: attempt.createdAt,
  };
}
