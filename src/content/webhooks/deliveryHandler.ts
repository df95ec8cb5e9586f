/**
 * The `webhooks.deliver` job: one attempt to POST one event to one subscription.
 *
 * Request: body `{ id, event, tenant, seq, occurredAt, data }` (`id` = the delivery id, `tenant` = the tenant slug)
 * with `Content-Type: application/json`, `Galley-Event`, `Galley-Delivery` and `Galley-Signature` (signature.ts).
 *
 * Outcome of an attempt, each written to the delivery log and counted in galley_webhook_deliveries_total:
 * - 2xx → `delivered`;
 * - 410 Gone → `gone`: the subscription is disabled (reason recorded) and nothing is retried;
 * - a refused target (SSRF guard) → `refused`, not retried (a misconfigured URL does not heal by waiting);
 * - anything else — another status, a network error, no answer within the timeout (5 s) — → `retrying`, and the
 *   job fails so the queue retries it on the schedule in deliveryQueue.ts; on the last attempt `failed` and the
 *   job is dead-lettered.
 * A job whose subscription is gone or disabled, or whose worker is shutting down, sends nothing and logs no
 * attempt (a shutdown hands the job back to run later).
 */
import type { EventLog } from '../../data/events/eventLog.ts';
import { createEventLog } from '../../data/events/eventLog.ts';
import type { StoredEvent } from '../../data/events/port.ts';
import type { JobHandler } from '../../data/queue/port.ts';
import type { Store } from '../../data/store/port.ts';
import type { GalleyMetrics } from '../../ops/metrics/registry.ts';
import { recordDeliveryAttempt } from './deliveryLog.ts';
import type { DeliveryJob } from './deliveryQueue.ts';
import { signWebhookPayload } from './signature.ts';
import { unsealWebhookSecret } from './subscriptionSecrets.ts';
import { findSubscriptionRow } from './subscriptions.ts';
import type { DeliveryStatus, WebhookSubscriptionsTable } from './tables.ts';
import { WebhookTargetRefusedError } from './targetGuard.ts';
import { disableWebhook } from './webhookDisabler.ts';
import { type SendResult, sendWebhook } from './webhookSender.ts';

/** How long a receiver has to answer one attempt. */
export const DELIVERY_TIMEOUT_MS = 5000;

/** `User-Agent` of every delivery. */
export const WEBHOOK_USER_AGENT = 'Galley-Webhooks/1';

/** Options of createDeliveryHandler. */
export interface DeliveryHandlerOptions {
  readonly store: Store;
  /** Master secret (signing secrets are sealed under a key derived from it). */
  readonly secret: string;
  /** GALLEY_WEBHOOKS_ALLOW_PRIVATE: deliver to private and loopback addresses too. */
  readonly allowPrivateTargets: boolean;
  readonly metrics?: Pick<GalleyMetrics, 'recordWebhookDelivery'>;
  /** Per-attempt timeout; default DELIVERY_TIMEOUT_MS. */
  readonly timeoutMs?: number;
  /** The event log (default: one over `store`). */
  readonly log?: EventLog;
}

/** What a finished job stores as its result. */
export interface DeliveryOutcome {
  readonly status: DeliveryStatus | 'skipped';
  readonly responseStatus?: number;
  /** Why nothing was sent (`skipped`). */
  readonly reason?: string;
}

/** A failed attempt; thrown so the queue retries the job (or dead-letters it after the last attempt). */
export class WebhookAttemptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookAttemptError';
  }
}

interface Target {
  readonly subscription: WebhookSubscriptionsTable;
  readonly event: StoredEvent;
  readonly tenantSlug: string;
}

interface AttemptResult {
  readonly status: 'delivered' | 'gone' | 'refused' | 'failed';
  readonly responseStatus?: number;
  readonly error?: string;
  readonly timedOut?: boolean;
}

/** Builds the job handler. */
export function createDeliveryHandler(options: DeliveryHandlerOptions): JobHandler<DeliveryJob, DeliveryOutcome> {
  const db = options.store.db;
  const log = options.log ?? createEventLog(options.store);
  const timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;

  async function loadTarget(job: DeliveryJob): Promise<Target | string> {
    const subscription = await findSubscriptionRow(db, job.tenantId, job.subscriptionId);
    if (subscription === undefined) return 'subscription deleted';
    if (subscription.disabled_at !== null) return 'subscription disabled';
    const [event] = await log.readTenant(job.tenantId, job.seq - 1, 1);
    if (event === undefined || event.seq !== job.seq) return 'event not found';
    const tenant = await db.selectFrom('tenants').select('slug').where('id', '=', job.tenantId).executeTakeFirst();
    if (tenant === undefined) return 'tenant deleted';
    return { subscription, event, tenantSlug: tenant.slug };
  }

  async function attempt(job: DeliveryJob, target: Target, signal: AbortSignal): Promise<AttemptResult> {
    const { event, subscription } = target;
    const body = JSON.stringify({
      id: job.deliveryId,
      event: event.name,
      tenant: target.tenantSlug,
      seq: event.seq,
      occurredAt: event.occurredAt,
      data: event.data,
    });
    const signingSecret = unsealWebhookSecret(options.secret, subscription.secret_sealed);
    const timeout = AbortSignal.timeout(timeoutMs);
    let sent: SendResult;
    try {
      sent = await sendWebhook({
        url: new URL(subscription.url),
        body,
        headers: {
          'content-type': 'application/json',
          'user-agent': WEBHOOK_USER_AGENT,
          'galley-event': event.name,
          'galley-delivery': job.deliveryId,
          'galley-signature': signWebhookPayload(signingSecret, body),
        },
        signal: AbortSignal.any([signal, timeout]),
        allowPrivate: options.allowPrivateTargets,
      });
    } catch (error) {
      // The worker's own abort (shutdown, cancel, lost lease) is not the receiver's failure: hand the job back.
      if (signal.aborted) throw signal.reason;
      if (error instanceof WebhookTargetRefusedError) return { status: 'refused', error: error.message };
      if (timeout.aborted) return { status: 'failed', error: `no answer within ${timeoutMs} ms`, timedOut: true };
      return { status: 'failed', error: error instanceof Error ? error.message : String(error) };
    }
    if (sent.status >= 200 && sent.status < 300) return { status: 'delivered', responseStatus: sent.status };
    if (sent.status === 410) return { status: 'gone', responseStatus: 410 };
    const snippet = sent.snippet.trim();
    return {
      status: 'failed',
      responseStatus: sent.status,
      error: `HTTP ${sent.status}${snippet === '' ? '' : `: ${snippet}`}`,
    };
  }

  return async (queued, signal) => {
    const job = queued.payload;
    const target = await loadTarget(job);
    if (typeof target === 'string') return { status: 'skipped', reason: target };
    const started = performance.now();
    const result = await attempt(job, target, signal);
    const ms = performance.now() - started;
    const final = queued.attempt >= queued.maxAttempts;
    const status: DeliveryStatus = result.status === 'failed' ? (final ? 'failed' : 'retrying') : result.status;
    await recordDeliveryAttempt(db, {
      tenantId: job.tenantId,
      subscriptionId: job.subscriptionId,
      deliveryId: job.deliveryId,
      seq: job.seq,
      event: target.event.name,
      attempt: queued.attempt,
      status,
      responseMs: ms,
      ...(result.responseStatus === undefined ? {} : { responseStatus: result.responseStatus }),
      ...(result.error === undefined ? {} : { error: result.error }),
    });
    options.metrics?.recordWebhookDelivery(metricOutcome(status, result.timedOut === true), ms / 1000);
    if (status === 'gone') {
      await disableWebhook({
        db,
        tenantId: job.tenantId,
        subscriptionId: job.subscriptionId,
        reason: 'receiver answered 410 Gone',
        actor: 'system',
      });
    }
    if (status === 'retrying' || status === 'failed') throw new WebhookAttemptError(result.error ?? 'delivery failed');
    return result.responseStatus === undefined ? { status } : { status, responseStatus: result.responseStatus };
  };
}

function metricOutcome(
  status: DeliveryStatus,
  timedOut: boolean,
): Parameters<GalleyMetrics['recordWebhookDelivery']>[0] {
  if (status === 'delivered' || status === 'gone') return status;
  if (status === 'refused') return 'failed';
  if (status === 'failed') return 'dead_lettered';
  return timedOut ? 'timeout' : 'retrying';
}
