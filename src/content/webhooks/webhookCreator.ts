/**
 * Creates a webhook subscription and its signing secret, which is returned once and stored only sealed. The
 * subscription receives the tenant's events recorded after its own `webhook.created` event.
 */
import type { Kysely } from 'kysely';
import { appendEvent } from '../../data/events/eventLog.ts';
import type { Database } from '../../data/store/schema.ts';
import { inTransaction } from '../../data/store/transaction.ts';
import { GalleyError } from '../../experience/errors/errors.ts';
import { newId } from '../identity/ids.ts';
import { normaliseEventPatterns } from './eventPatterns.ts';
import { generateWebhookSecret } from './signature.ts';
import { sealWebhookSecret } from './subscriptionSecrets.ts';
import {
  MAX_SUBSCRIPTIONS_PER_TENANT,
  normaliseDescription,
  toSubscription,
  type WebhookSubscription,
} from './subscriptions.ts';
import { webhookDb } from './tables.ts';
import { assertPublicTarget, parseWebhookUrl } from './targetGuard.ts';

/** Input of createWebhook. */
export interface WebhookCreatorProps {
  /** The store, or a transaction to join. */
  readonly db: Kysely<Database>;
  /** Master secret; the signing secret is sealed under a key derived from it. */
  readonly secret: string;
  readonly tenantId: string;
  /** http(s) endpoint that receives the POSTs. */
  readonly url: string;
  /** Event names or patterns (`entry.*`, `*`). */
  readonly events: readonly string[];
  readonly description?: string;
  /** GALLEY_WEBHOOKS_ALLOW_PRIVATE: accept private and loopback targets. */
  readonly allowPrivateTargets: boolean;
  /** Who creates it: `user:<id>`, `service:<id>` or `system`. */
  readonly actor: string;
}

/** A new subscription and its signing secret (shown once). */
export interface CreatedWebhook {
  readonly subscription: WebhookSubscription;
  /** `whsec_…`: the receiver verifies `Galley-Signature` with it. Not retrievable later (rotate instead). */
  readonly signingSecret: string;
}

/**
 * Creates the subscription. GALLEY_VALIDATION_FAILED for a bad or refused URL, event list or description;
 * GALLEY_NOT_FOUND for an unknown tenant; GALLEY_CONFLICT when the tenant is at MAX_SUBSCRIPTIONS_PER_TENANT.
 */
export async function createWebhook(props: WebhookCreatorProps): Promise<CreatedWebhook> {
  const url = parseWebhookUrl(props.url);
  const events = normaliseEventPatterns(props.events);
  const description = normaliseDescription(props.description);
  // Resolved outside the transaction: DNS can be slow and must not hold the tenant's locks.
  await assertPublicTarget(url, props.allowPrivateTargets);
  const signingSecret = generateWebhookSecret();
  const sealed = sealWebhookSecret(props.secret, signingSecret);

  const row = await inTransaction(props.db, async (trx) => {
    const db = webhookDb(trx);
    const tenant = await db.selectFrom('tenants').select('id').where('id', '=', props.tenantId).executeTakeFirst();
    if (tenant === undefined) throw new GalleyError('GALLEY_NOT_FOUND', 'tenant not found');
    const count = await db
      .selectFrom('webhook_subscriptions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', props.tenantId)
      .executeTakeFirstOrThrow();
    if (Number(count.n) >= MAX_SUBSCRIPTIONS_PER_TENANT) {
      throw new GalleyError('GALLEY_CONFLICT', `a tenant may hold at most ${MAX_SUBSCRIPTIONS_PER_TENANT} webhooks`);
    }
    const id = newId();
    // The event's seq is the subscription's starting point, so the event is appended before the row is written.
    const created = await appendEvent(trx, {
      tenantId: props.tenantId,
      name: 'webhook.created',
      subjectId: id,
      actor: props.actor,
      data: { host: url.host, events },
    });
    const now = new Date().toISOString();
    const values = {
      id,
      tenant_id: props.tenantId,
      url: url.href,
      events: JSON.stringify(events),
      secret_sealed: sealed,
      description,
      start_seq: created.seq,
      disabled_at: null,
      disabled_reason: null,
      created_at: now,
      updated_at: now,
    };
    await db.insertInto('webhook_subscriptions').values(values).execute();
    return values;
  });
  return { subscription: toSubscription(row), signingSecret };
}
