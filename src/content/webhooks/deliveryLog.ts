/**
 * The delivery log: one row per attempt (`webhook_deliveries`), newest first per subscription with keyset
 * pagination (ids are UUIDv7, so id order is time order; no counts).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../data/store/schema.ts';
import { GalleyError } from '../../experience/errors/errors.ts';
import { newId } from '../identity/ids.ts';
import { type DeliveryStatus, type WebhookDeliveriesTable, webhookDb } from './tables.ts';

/** Largest page of the delivery log. */
export const MAX_DELIVERY_PAGE = 100;

/** One attempt as callers see it. */
export interface WebhookDeliveryAttempt {
  /** The attempt. */
  readonly id: string;
  /** The logical delivery (`Galley-Delivery`), shared by its retries; what `redeliver` takes. */
  readonly deliveryId: string;
  readonly tenantId: string;
  readonly subscriptionId: string;
  readonly seq: number;
  readonly event: string;
  readonly attempt: number;
  readonly status: DeliveryStatus;
  readonly responseStatus: number | null;
  readonly responseMs: number | null;
  readonly error: string | null;
  readonly createdAt: string;
}

/** A page of attempts and the cursor of the next one (null at the end). */
export interface DeliveryPage {
  readonly items: readonly WebhookDeliveryAttempt[];
  readonly next: string | null;
}

/** What one attempt records. */
export interface AttemptRecord {
  readonly tenantId: string;
  readonly subscriptionId: string;
  readonly deliveryId: string;
  readonly seq: number;
  readonly event: string;
  readonly attempt: number;
  readonly status: DeliveryStatus;
  readonly responseStatus?: number;
  readonly responseMs?: number;
  readonly error?: string;
}

function toAttempt(row: WebhookDeliveriesTable): WebhookDeliveryAttempt {
  return Object.freeze({
    id: row.id,
    deliveryId: row.delivery_id,
    tenantId: row.tenant_id,
    subscriptionId: row.subscription_id,
    seq: row.event_seq,
    event: row.event_name,
    attempt: row.attempt,
    status: row.status,
    responseStatus: row.response_status,
    responseMs: row.response_ms,
    error: row.error,
    createdAt: row.created_at,
  });
}

/** Writes one attempt; resolves with it. */
export async function recordDeliveryAttempt(
  db: Kysely<Database>,
  record: AttemptRecord,
): Promise<WebhookDeliveryAttempt> {
  const row: WebhookDeliveriesTable = {
    id: newId(),
    tenant_id: record.tenantId,
    subscription_id: record.subscriptionId,
    delivery_id: record.deliveryId,
    event_seq: record.seq,
    event_name: record.event,
    attempt: record.attempt,
    status: record.status,
    response_status: record.responseStatus ?? null,
    response_ms: record.responseMs === undefined ? null : Math.round(record.responseMs),
    error: record.error === undefined ? null : record.error.slice(0, 1000),
    created_at: new Date().toISOString(),
  };
  await webhookDb(db).insertInto('webhook_deliveries').values(row).execute();
  return toAttempt(row);
}

function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[0-9a-f-]{36}$/.test(id)) {
    throw new GalleyError('GALLEY_VALIDATION_FAILED', 'cursor is not valid', {
      errors: [{ field: '/cursor', message: 'not a cursor this API returned', location: 'querystring' }],
    });
  }
  return id;
}

/** A page of one subscription's attempts, newest first; `cursor` is a `next` from an earlier page. */
export async function listDeliveries(
  db: Kysely<Database>,
  tenantId: string,
  subscriptionId: string,
  options: { readonly limit?: number; readonly cursor?: string } = {},
): Promise<DeliveryPage> {
  const limit = Math.min(Math.max(Math.floor(options.limit ?? 20), 1), MAX_DELIVERY_PAGE);
  let query = webhookDb(db)
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('subscription_id', '=', subscriptionId);
  if (options.cursor !== undefined) query = query.where('id', '<', decodeCursor(options.cursor));
  const rows = await query
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toAttempt),
    next: rows.length > limit && last !== undefined ? Buffer.from(last.id).toString('base64url') : null,
  };
}

/**
 * The latest attempt of a delivery of the tenant, found by its delivery id or by one attempt's id; undefined
 * when there is none.
 */
export async function findDeliveryAttempt(
  db: Kysely<Database>,
  tenantId: string,
  deliveryOrAttemptId: string,
): Promise<WebhookDeliveryAttempt | undefined> {
  const row = await webhookDb(db)
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb.or([eb('delivery_id', '=', deliveryOrAttemptId), eb('id', '=', deliveryOrAttemptId)]))
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? undefined : toAttempt(row);
}

/** The tenant of a delivery (by delivery or attempt id), for operator tools that start from the id alone. */
export async function deliveryTenant(db: Kysely<Database>, deliveryOrAttemptId: string): Promise<string | undefined> {
  const row = await webhookDb(db)
    .selectFrom('webhook_deliveries')
    .select('tenant_id')
    .where((eb) => eb.or([eb('delivery_id', '=', deliveryOrAttemptId), eb('id', '=', deliveryOrAttemptId)]))
    .limit(1)
    .executeTakeFirst();
  return row?.tenant_id;
}
