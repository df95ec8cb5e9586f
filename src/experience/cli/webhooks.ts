/**
 * `galley webhooks list|deliveries|redeliver`: operator access to tenants' webhooks.
 *
 *   galley webhooks list --tenant <slug>
 *   galley webhooks deliveries --tenant <slug> [--webhook <id>] [--limit <n>]
 *   galley webhooks redeliver <delivery id>
 *
 * `deliveries` prints the newest attempts first (of one webhook, or of each of the tenant's webhooks).
 * `redeliver` takes a delivery id (or an attempt id) as printed by `deliveries`, finds its tenant, and queues the
 * event again as a new delivery for the worker role to send. Applies pending migrations first (like `galley
 * seed`). Exit codes: 0 success, 1 failure, 2 bad usage.
 */
import { parseArgs } from 'node:util';
import type { Config } from '../../config/config.ts';
import { deliveryTenant, listDeliveries, type WebhookDeliveryAttempt } from '../../content/webhooks/deliveryLog.ts';
import { getWebhook, listWebhooks } from '../../content/webhooks/subscriptions.ts';
import { redeliverWebhook } from '../../content/webhooks/webhookRedeliverer.ts';
import { migrateToLatest } from '../../data/migrations/migrator.ts';
import { openDataPlane } from '../../data/openDataPlane.ts';
import { openConfiguredStore } from '../../data/store/openStore.ts';
import type { Store } from '../../data/store/port.ts';
import { tenantIdForSlug } from './tenantArg.ts';

const USAGE = [
  'usage: galley webhooks list --tenant <slug>',
  '       galley webhooks deliveries --tenant <slug> [--webhook <id>] [--limit <n>]',
  '       galley webhooks redeliver <delivery id>',
].join('\n');

type Out = (line: string) => void;

const OPTIONS = {
  tenant: { type: 'string' },
  webhook: { type: 'string' },
  limit: { type: 'string' },
} as const;

type Values = { readonly [K in keyof typeof OPTIONS]?: string };

/** Thrown for bad usage: exit 2. */
class UsageError extends Error {}

function need(values: Values, name: keyof typeof OPTIONS): string {
  const value = values[name];
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

async function list(store: Store, values: Values, out: Out): Promise<number> {
  const hooks = await listWebhooks(store.db, await tenantIdForSlug(store, need(values, 'tenant')));
  for (const h of hooks) {
    const state = h.disabledAt === null ? 'enabled' : `disabled (${h.disabledReason ?? 'no reason'})`;
    out(`${h.id}  ${h.url}  events=${h.events.join(',')}  ${state}  created=${h.createdAt}`);
  }
  out(`${hooks.length} webhook(s)`);
  return 0;
}

function attemptLine(a: WebhookDeliveryAttempt): string {
  const answer = a.responseStatus === null ? '-' : String(a.responseStatus);
  const ms = a.responseMs === null ? '-' : `${a.responseMs}ms`;
  const error = a.error === null ? '' : `  ${a.error}`;
  return `${a.createdAt}  ${a.deliveryId}  attempt=${a.attempt}  ${a.status}  ${answer}  ${ms}  seq=${a.seq} ${a.event}${error}`;
}

async function deliveries(store: Store, values: Values, out: Out): Promise<number> {
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new UsageError('--limit must be 1–100');
  const tenant = await tenantIdForSlug(store, need(values, 'tenant'));
  const hooks =
    values.webhook === undefined
      ? await listWebhooks(store.db, tenant)
      : [await getWebhook(store.db, tenant, values.webhook)];
  for (const hook of hooks) {
    const page = await listDeliveries(store.db, tenant, hook.id, { limit });
    out(`webhook ${hook.id}  ${hook.url}`);
    for (const attempt of page.items) out(`  ${attemptLine(attempt)}`);
    if (page.items.length === 0) out('  (no deliveries)');
  }
  return 0;
}

async function redeliver(config: Config, id: string | undefined, out: Out): Promise<number> {
  if (id === undefined || id === '') throw new UsageError('redeliver needs a delivery id');
  const plane = await openDataPlane(config);
  try {
    const tenant = await deliveryTenant(plane.store.db, id);
    if (tenant === undefined) throw new Error(`no delivery "${id}"`);
    const queued = await redeliverWebhook({
      db: plane.store.db,
      queue: plane.queue,
      tenantId: tenant,
      deliveryId: id,
      actor: 'system',
    });
    out(`queued redelivery ${queued.deliveryId} of ${id} (webhook ${queued.subscriptionId}, event seq ${queued.seq})`);
    return 0;
  } finally {
    await plane.close();
  }
}

/** Runs `galley webhooks`; resolves with the process exit code. */
export async function runWebhooks(args: readonly string[], config: Config, out: Out): Promise<number> {
  const [sub, ...rest] = args;
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: rest, options: OPTIONS, strict: true, allowPositionals: true }));
  } catch (error) {
    out(`galley webhooks: ${error instanceof Error ? error.message : String(error)}`);
    out(USAGE);
    return 2;
  }
  if (sub !== 'list' && sub !== 'deliveries' && sub !== 'redeliver') {
    out(USAGE);
    return 2;
  }
  const store = openConfiguredStore(config);
  try {
    await migrateToLatest(store);
    if (sub !== 'redeliver' && positionals.length > 0) throw new UsageError(`unexpected "${positionals[0]}"`);
    if (sub === 'list') return await list(store, values, out);
    if (sub === 'deliveries') return await deliveries(store, values, out);
    if (positionals.length > 1) throw new UsageError('redeliver takes one delivery id');
    return await redeliver(config, positionals[0], out);
  } catch (error) {
    out(`galley webhooks ${sub}: ${error instanceof Error ? error.message : String(error)}`);
    if (error instanceof UsageError) {
      out(USAGE);
      return 2;
    }
    return 1;
  } finally {
    await store.close();
  }
}
