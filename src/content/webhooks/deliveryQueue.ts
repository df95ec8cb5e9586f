/**
 * The `webhooks.deliver` queue: what a delivery job carries and how it is retried.
 *
 * Retry schedule. The queue retries a failed attempt after `backoffMs · 2^(attempt-1)`. With 13 attempts from a
 * 20 s base the retries come 20 s, 40 s, 80 s, 160 s, 5 min, 11 min, 21 min, 43 min, 85 min, 2.8 h, 5.7 h and
 * 11.4 h after the attempt before — the last attempt about 22.75 h after the first, just inside a day — and a
 * delivery that has failed them all is dead-lettered (status `failed` in the delivery log; `redeliver` sends it
 * again on demand).
 */
import type { EnqueueOptions, EnqueueResult, Queue } from '../../data/queue/port.ts';

/** Queue name of delivery jobs. */
export const WEBHOOK_DELIVER_QUEUE = 'webhooks.deliver';

/** How a delivery is retried. */
export interface DeliveryRetry {
  /** Attempts before the job is dead-lettered. */
  readonly maxAttempts: number;
  /** Delay before the first retry, doubling after each failure. */
  readonly backoffMs: number;
}

/** The production schedule (see the module comment): 13 attempts over ~22.75 h. */
export const DEFAULT_DELIVERY_RETRY: DeliveryRetry = Object.freeze({ maxAttempts: 13, backoffMs: 20_000 });

/** Deliveries of one subscription running at once across all workers, so one slow receiver cannot take them all. */
export const PER_SUBSCRIPTION_CONCURRENCY = 4;

/** Payload of a `webhooks.deliver` job. The event itself is read from the log when the job runs. */
export interface DeliveryJob {
  /** The logical delivery, sent as `Galley-Delivery` and body `id`; the same on every retry. */
  readonly deliveryId: string;
  readonly tenantId: string;
  readonly subscriptionId: string;
  /** The event's per-tenant seq. */
  readonly seq: number;
  /** Set on a manual redelivery: the delivery it repeats. */
  readonly redeliveryOf?: string;
}

/** The idempotency key of the fan-out of event `seq` of `tenantId` to `subscriptionId`. */
export function dispatchKey(subscriptionId: string, tenantId: string, seq: number): string {
  return `webhook:${subscriptionId}:${tenantId}:${seq}`;
}

/** Enqueues a delivery job with the retry schedule and the per-subscription concurrency cap. */
export function enqueueDelivery(
  queue: Queue,
  job: DeliveryJob,
  retry: DeliveryRetry,
  idempotencyKey: string,
): Promise<EnqueueResult> {
  const options: EnqueueOptions = {
    idempotencyKey,
    maxAttempts: retry.maxAttempts,
    backoffMs: retry.backoffMs,
    concurrencyKey: `webhook:${job.subscriptionId}`,
    concurrencyLimit: PER_SUBSCRIPTION_CONCURRENCY,
  };
  return queue.enqueue(WEBHOOK_DELIVER_QUEUE, job, options);
}

/** Reads a job payload back from the queue; throws TypeError when it is not a DeliveryJob (never retried usefully). */
export function parseDeliveryJob(payload: unknown): DeliveryJob {
  if (typeof payload !== 'object' || payload === null) throw new TypeError('webhook job payload is not an object');
  const p = payload as Record<string, unknown>;
  const { deliveryId, tenantId, subscriptionId, seq, redeliveryOf } = p;
  if (
    typeof deliveryId !== 'string' ||
    typeof tenantId !== 'string' ||
    typeof subscriptionId !== 'string' ||
    typeof seq !== 'number' ||
    !Number.isInteger(seq) ||
    seq < 1 ||
    (redeliveryOf !== undefined && typeof redeliveryOf !== 'string')
  ) {
    throw new TypeError('webhook job payload has missing or mistyped fields');
  }
  return redeliveryOf === undefined
    ? { deliveryId, tenantId, subscriptionId, seq }
    : { deliveryId, tenantId, subscriptionId, seq, redeliveryOf };
}
