/**
 * Schedules (or, with `at: null`, cancels) publishing an entry at a later time. The job goes on the `content.publish`
 * queue with idempotency key `publish:<tenant>:<entry>:<version>` (the version the schedule creates) and a delay;
 * then `entry.publish_scheduled` records the time on the entry. The job is enqueued first: if recording fails, the
 * orphan job finds a different `scheduledPublishAt` on the entry and does nothing (publishJob.ts), whereas the
 * other order could record a schedule that no job will ever run.
 *
 * A newer schedule, a manual publish or unpublish, or a deletion supersedes a pending job the same way. It takes no
 * caller transaction: the job must be enqueued before the event commits, and the embedded queue writes to the
 * same database, so inside a caller's transaction it would wait for that transaction forever.
 */
import type { Queue } from '../../data/queue/port.ts';
import type { Store } from '../../data/store/port.ts';
import type { Principal } from '../../experience/auth/principal.ts';
import { GalleyError } from '../../experience/errors/errors.ts';
import { commitEntryEvent } from './commit.ts';
import { loadForWrite } from './guards.ts';
import { entryReads } from './reads.ts';
import { toEntry } from './rows.ts';
import { actorOf, type Entry } from './types.ts';

/** Queue of scheduled publish jobs. */
export const PUBLISH_QUEUE = 'content.publish';

/** Payload of a `content.publish` job. */
export interface PublishJobPayload {
  readonly tenantId: string;
  readonly entryId: string;
  /** The schedule this job serves (ISO-8601); the job publishes only while the entry still carries it. */
  readonly at: string;
  /** Who scheduled it; recorded on the publish event. */
  readonly actor: string;
}

/** Input of schedulePublish. */
export interface EntryPublishSchedulerProps {
  /** The store. */
  readonly store: Store;
  /** The queue the job goes to. */
  readonly queue: Queue;
  /** Who schedules (owner, admin or editor). */
  readonly actor: Principal;
  /** The tenant the entry belongs to. */
  readonly tenantId: string;
  /** The entry id. */
  readonly id: string;
  /** When to publish (ISO-8601 date-time; a past time publishes as soon as a worker runs it), or null to cancel. */
  readonly at: string | null;
  /** When given (If-Match), the entry must be at this version. */
  readonly expectedVersion?: number;
}

/** What schedulePublish did. */
export interface PublishScheduled {
  readonly entry: Entry;
  /** The queue job, or null when cancelling (or when nothing changed). */
  readonly jobId: string | null;
}

function normaliseAt(at: string | null): string | null {
  if (at === null) return null;
  const ms = typeof at === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(at) ? Date.parse(at) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new GalleyError('GALLEY_VALIDATION_FAILED', 'publish time is not valid', {
      errors: [{ field: '/at', message: 'must be an ISO-8601 date-time or null' }],
    });
  }
  return new Date(ms).toISOString();
}

/** Schedules or cancels; GALLEY_NOT_FOUND, GALLEY_FORBIDDEN, GALLEY_ENTRY_VERSION_CONFLICT, GALLEY_VALIDATION_FAILED. */
export async function schedulePublish(props: EntryPublishSchedulerProps): Promise<PublishScheduled> {
  const at = normaliseAt(props.at);
  const reads = entryReads(props.store);
  const found = await loadForWrite({
    reads,
    actor: props.actor,
    action: 'entry.schedule',
    tenantId: props.tenantId,
    id: props.id,
    expectedVersion: props.expectedVersion,
  });
  const prior = found.row;
  if (at === prior.scheduled_publish_at) return { entry: toEntry(prior), jobId: null };
  const version = prior.version + 1;
  const actor = actorOf(props.actor);
  let jobId: string | null = null;
  if (at !== null) {
    const payload: PublishJobPayload = { tenantId: props.tenantId, entryId: props.id, at, actor };
    const job = await props.queue.enqueue(PUBLISH_QUEUE, payload, {
      idempotencyKey: `publish:${props.tenantId}:${props.id}:${version}`,
      delayMs: Math.max(0, Date.parse(at) - Date.now()),
      maxAttempts: 10,
    });
    jobId = job.id;
  }
  const row = await commitEntryEvent({
    store: props.store,
    tenantId: props.tenantId,
    name: 'entry.publish_scheduled',
    prior,
    type: found.type,
    data: {
      actor,
      entry: prior.id,
      type: prior.type,
      version,
      status: prior.status,
      hash: prior.content_hash,
      changed: [],
      at: new Date().toISOString(),
      publishAt: at,
    },
  });
  return { entry: toEntry(row), jobId };
}
