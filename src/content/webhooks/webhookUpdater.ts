/**
 * Changes a subscription: its URL, events, description, whether it is enabled, and (on request) its signing
 * secret. Records `webhook.updated` with the names of the changed fields when anything changed.
 *
 * Re-enabling does not replay what happened while it was off: the dispatcher skips disabled subscriptions, so
 * events recorded meanwhile are not delivered (redeliver individual ones if needed).
 */
import type { Kysely, Updateable } from 'kysely';
import { appendEvent } from '../../data/events/eventLog.ts';
import type { Database } from '../../data/store/schema.ts';
import { inTransaction } from '../../data/store/transaction.ts';
import { normaliseEventPatterns } from './eventPatterns.ts';
import { generateWebhookSecret } from './signature.ts';
import { sealWebhookSecret } from './subscriptionSecrets.ts';
import { getSubscriptionRow, normaliseDescription, toSubscription, type WebhookSubscription } from './subscriptions.ts';
import { type WebhookSubscriptionsTable, webhookDb } from './tables.ts';
import { assertPublicTarget, parseWebhookUrl } from './targetGuard.ts';

/** What to change; absent fields stay as they are. */
export interface WebhookChanges {
  readonly url?: string;
  readonly events?: readonly string[];
  readonly description?: string;
  /** false disables (reason: "disabled by <actor>"), true re-enables and clears the reason. */
  readonly enabled?: boolean;
  /** Replace the signing secret; the new one is returned once. */
  readonly rotateSecret?: boolean;
}

/** Input of updateWebhook. */
export interface WebhookUpdaterProps {
  /** The store, or a transaction to join. */
  readonly db: Kysely<Database>;
  /** Master secret (for sealing a rotated signing secret). */
  readonly secret: string;
  readonly tenantId: string;
  readonly subscriptionId: string;
  readonly changes: WebhookChanges;
  /** GALLEY_WEBHOOKS_ALLOW_PRIVATE: accept private and loopback targets. */
  readonly allowPrivateTargets: boolean;
  /** Who changes it. */
  readonly actor: string;
}

/** The subscription after the change, and the new signing secret when it was rotated. */
export interface UpdatedWebhook {
  readonly subscription: WebhookSubscription;
  readonly signingSecret?: string;
}

/** Updates the subscription; GALLEY_NOT_FOUND when the tenant has none with that id, GALLEY_VALIDATION_FAILED for bad input. */
export async function updateWebhook(props: WebhookUpdaterProps): Promise<UpdatedWebhook> {
  const { changes } = props;
  const url = changes.url === undefined ? undefined : parseWebhookUrl(changes.url);
  const events = changes.events === undefined ? undefined : normaliseEventPatterns(changes.events);
  const description = changes.description === undefined ? undefined : normaliseDescription(changes.description);
  if (url !== undefined) await assertPublicTarget(url, props.allowPrivateTargets);
  const signingSecret = changes.rotateSecret === true ? generateWebhookSecret() : undefined;

  const row = await inTransaction(props.db, async (trx) => {
    const current = await getSubscriptionRow(trx, props.tenantId, props.subscriptionId);
    const set: Updateable<WebhookSubscriptionsTable> = {};
    if (url !== undefined && url.href !== current.url) set.url = url.href;
    if (events !== undefined && JSON.stringify(events) !== current.events) set.events = JSON.stringify(events);
    if (description !== undefined && description !== current.description) set.description = description;
    if (changes.enabled === true && current.disabled_at !== null) {
      set.disabled_at = null;
      set.disabled_reason = null;
    } else if (changes.enabled === false && current.disabled_at === null) {
      set.disabled_at = new Date().toISOString();
      set.disabled_reason = `disabled by ${props.actor}`;
    }
    if (signingSecret !== undefined) set.secret_sealed = sealWebhookSecret(props.secret, signingSecret);
    const changed = Object.keys(set);
    if (changed.length === 0) return current;
    set.updated_at = new Date().toISOString();
    const updated = await webhookDb(trx)
      .updateTable('webhook_subscriptions')
      .set(set)
      .where('tenant_id', '=', props.tenantId)
      .where('id', '=', props.subscriptionId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendEvent(trx, {
      tenantId: props.tenantId,
      name: 'webhook.updated',
      subjectId: props.subscriptionId,
      actor: props.actor,
      data: { changed: changed.map((c) => (c === 'secret_sealed' ? 'secret' : c)).sort() },
    });
    return updated;
  });
  return signingSecret === undefined
    ? { subscription: toSubscription(row) }
    : { subscription: toSubscription(row), signingSecret };
}
