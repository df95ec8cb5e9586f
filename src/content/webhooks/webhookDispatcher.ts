/**
 * Fan-out: follows every tenant's event log and queues one `webhooks.deliver` job per (matching subscription,
 * event). It keeps its own per-tenant checkpoint (`webhook_dispatch_checkpoints`, the last seq fanned out) and
 * reads with `readTenant`, which never skips a late commit (see data/events/eventLog.ts).
 *
 * Exactly-once queuing without a shared transaction: the queue may be Redis, so a batch's jobs are queued first
 * and the checkpoint moves after. A crash in between re-reads the batch, and the jobs' idempotency keys
 * (`webhook:<subscription>:<tenant>:<seq>`) turn the repeats into no-ops; so do concurrent dispatchers in several
 * worker processes, and the checkpoint only ever moves forward.
 *
 * Which subscriptions see an event: enabled ones whose patterns match its name and that were created before it
 * (`seq > start_seq`). A disabled subscription misses what is recorded while it is off.
 */
import type { Kysely } from 'kysely';
import { createEventLog, type EventLog } from '../../data/events/eventLog.ts';
import type { StoredEvent } from '../../data/events/port.ts';
import type { Queue } from '../../data/queue/port.ts';
import type { Store } from '../../data/store/port.ts';
import type { Database } from '../../data/store/schema.ts';
import { newId } from '../identity/ids.ts';
import { DEFAULT_DELIVERY_RETRY, type DeliveryRetry, dispatchKey, enqueueDelivery } from './deliveryQueue.ts';
import { matchesAnyEventPattern } from './eventPatterns.ts';
import { webhookDb } from './tables.ts';

/** Events read per batch. */
const BATCH = 500;

/** Options of createWebhookDispatcher. */
export interface WebhookDispatcherOptions {
  readonly store: Store;
  readonly queue: Queue;
  /** Retry schedule of queued deliveries; default DEFAULT_DELIVERY_RETRY. */
  readonly retry?: DeliveryRetry;
  /** The event log (default: one over `store`). */
  readonly log?: EventLog;
}

/** One tenant the dispatcher could not catch up with. */
export interface DispatchFailure {
  readonly tenantId: string;
  readonly cause: unknown;
}

/** Raised by runOnce after every other tenant was handled, when some tenant failed (its checkpoint stays put). */
export class WebhookDispatchError extends Error {
  readonly failures: readonly DispatchFailure[];
  constructor(failures: readonly DispatchFailure[]) {
    super(`webhook fan-out failed for ${failures.length} tenant(s): ${failures.map((f) => f.tenantId).join(', ')}`);
    this.name = 'WebhookDispatchError';
    this.failures = failures;
  }
}

/** Drives the fan-out. */
export interface WebhookDispatcher {
  /** Fans out every pending event of every tenant; resolves with the number of jobs newly queued. */
  runOnce(): Promise<number>;
}

interface ActiveSubscription {
  readonly id: string;
  readonly startSeq: number;
  readonly patterns: readonly string[];
}

async function activeSubscriptions(db: Kysely<Database>, tenantId: string): Promise<ActiveSubscription[]> {
  const rows = await webhookDb(db)
    .selectFrom('webhook_subscriptions')
    .select(['id', 'start_seq', 'events'])
    .where('tenant_id', '=', tenantId)
    .where('disabled_at', 'is', null)
    .execute();
  return rows.map((r) => ({ id: r.id, startSeq: r.start_seq, patterns: JSON.parse(r.events) as string[] }));
}

async function advance(db: Kysely<Database>, tenantId: string, seq: number): Promise<void> {
  const updatedAt = new Date().toISOString();
  await webhookDb(db)
    .insertInto('webhook_dispatch_checkpoints')
    .values({ tenant_id: tenantId, seq, updated_at: updatedAt })
    .onConflict((oc) =>
      oc
        .column('tenant_id')
        .doUpdateSet({ seq, updated_at: updatedAt })
        .where('webhook_dispatch_checkpoints.seq', '<', seq),
    )
    .execute();
}

/** A dispatcher over `store`'s event log and subscriptions, queuing into `queue`. */
export function createWebhookDispatcher(options: WebhookDispatcherOptions): WebhookDispatcher {
  const db = options.store.db;
  const log = options.log ?? createEventLog(options.store);
  const retry = options.retry ?? DEFAULT_DELIVERY_RETRY;

  async function fanOut(event: StoredEvent, subscriptions: readonly ActiveSubscription[]): Promise<number> {
    let queued = 0;
    for (const s of subscriptions) {
      if (event.seq <= s.startSeq || !matchesAnyEventPattern(s.patterns, event.name)) continue;
      const job = { deliveryId: newId(), tenantId: event.tenantId, subscriptionId: s.id, seq: event.seq };
      const result = await enqueueDelivery(options.queue, job, retry, dispatchKey(s.id, event.tenantId, event.seq));
      if (result.created) queued += 1;
    }
    return queued;
  }

  /** Catches one tenant up to `head`. */
  async function catchUp(tenantId: string, from: number, head: number): Promise<number> {
    // Subscriptions are read after the head: one created later has start_seq > head and wants nothing below it.
    const subscriptions = await activeSubscriptions(db, tenantId);
    const earliest = Math.min(...subscriptions.map((s) => s.startSeq));
    let cursor = Math.max(from, Number.isFinite(earliest) ? earliest : head);
    if (cursor >= head) {
      // Nothing through head concerns any subscription: skip it without reading.
      await advance(db, tenantId, head);
      return 0;
    }
    let queued = 0;
    while (cursor < head) {
      const events = await log.readTenant(tenantId, cursor, BATCH, { throughSeq: head });
      for (const event of events) queued += await fanOut(event, subscriptions);
      const last = events[events.length - 1];
      cursor = events.length === BATCH && last !== undefined ? last.seq : head;
      await advance(db, tenantId, cursor);
    }
    return queued;
  }

  return {
    async runOnce() {
      const heads = await log.heads();
      const rows = await webhookDb(db)
        .selectFrom('webhook_dispatch_checkpoints')
        .select(['tenant_id', 'seq'])
        .execute();
      const done = new Map(rows.map((r) => [r.tenant_id, r.seq]));
      const failures: DispatchFailure[] = [];
      let queued = 0;
      for (const [tenantId, head] of heads) {
        const from = done.get(tenantId) ?? 0;
        if (from >= head) continue;
        try {
          queued += await catchUp(tenantId, from, head);
        } catch (cause) {
          failures.push({ tenantId, cause });
        }
      }
      if (failures.length > 0) throw new WebhookDispatchError(failures);
      return queued;
    },
  };
}
