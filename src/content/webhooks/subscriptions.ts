/**
 * Reading subscriptions: the domain value callers see (never the sealed secret), and the tenant-scoped queries
 * every use case and transport shares. Every query names its tenant.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../data/store/schema.ts';
import { GalleyError } from '../../experience/errors/errors.ts';
import { type WebhookSubscriptionsTable, webhookDb } from './tables.ts';

/** Most subscriptions one tenant may hold. */
export const MAX_SUBSCRIPTIONS_PER_TENANT = 25;

/** Longest description. */
export const MAX_DESCRIPTION_LENGTH = 500;

/** A subscription as callers see it. */
export interface WebhookSubscription {
  readonly id: string;
  readonly tenantId: string;
  readonly url: string;
  /** Event names or patterns (`entry.*`, `*`). */
  readonly events: readonly string[];
  readonly description: string;
  /** When it stopped receiving events (410 from the receiver, or turned off); null while enabled. */
  readonly disabledAt: string | null;
  readonly disabledReason: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Row → domain value. */
export function toSubscription(row: WebhookSubscriptionsTable): WebhookSubscription {
  return Object.freeze({
    id: row.id,
    tenantId: row.tenant_id,
    url: row.url,
    events: Object.freeze(JSON.parse(row.events) as string[]),
    description: row.description,
    disabledAt: row.disabled_at,
    disabledReason: row.disabled_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}

/** The subscription row, or undefined when the tenant has none with that id. */
export async function findSubscriptionRow(
  db: Kysely<Database>,
  tenantId: string,
  subscriptionId: string,
): Promise<WebhookSubscriptionsTable | undefined> {
  return webhookDb(db)
    .selectFrom('webhook_subscriptions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', subscriptionId)
    .executeTakeFirst();
}

/** The subscription row; GALLEY_NOT_FOUND when the tenant has none with that id. */
export async function getSubscriptionRow(
  db: Kysely<Database>,
  tenantId: string,
  subscriptionId: string,
): Promise<WebhookSubscriptionsTable> {
  const row = await findSubscriptionRow(db, tenantId, subscriptionId);
  if (row === undefined) throw new GalleyError('GALLEY_NOT_FOUND', 'webhook subscription not found');
  return row;
}

/** One subscription of the tenant; GALLEY_NOT_FOUND when absent. */
export async function getWebhook(
  db: Kysely<Database>,
  tenantId: string,
  subscriptionId: string,
): Promise<WebhookSubscription> {
  return toSubscription(await getSubscriptionRow(db, tenantId, subscriptionId));
}

/** Every subscription of the tenant, oldest first (at most MAX_SUBSCRIPTIONS_PER_TENANT). */
export async function listWebhooks(db: Kysely<Database>, tenantId: string): Promise<WebhookSubscription[]> {
  const rows = await webhookDb(db)
    .selectFrom('webhook_subscriptions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('id')
    .execute();
  return rows.map(toSubscription);
}

/** Trims and checks a description; GALLEY_VALIDATION_FAILED when too long. */
export function normaliseDescription(description: string | undefined): string {
  const text = (description ?? '').trim();
  if (text.length > MAX_DESCRIPTION_LENGTH) {
    throw new GalleyError(
      'GALLEY_VALIDATION_FAILED',
      `description must be at most ${MAX_DESCRIPTION_LENGTH} characters`,
      {
        errors: [{ field: '/description', message: `must be at most ${MAX_DESCRIPTION_LENGTH} characters` }],
      },
    );
  }
  return text;
}
