/**
 * The `content.publish` job: publishes an entry at its scheduled time, if the entry still exists and still
 * carries the schedule the job was made for (a newer schedule, a manual publish or unpublish, or a deletion
 * supersedes it). Idempotent: a redelivered job finds the schedule cleared and does nothing. A write racing the
 * publish makes it fail with a version conflict, and the queue retries it.
 */
import type { DataPlane } from '../../data/dataPlane.ts';
import type { Job, JobHandler } from '../../data/queue/port.ts';
import type { Store } from '../../data/store/port.ts';
import { publishLoaded } from './entryPublisher.ts';
import { PUBLISH_QUEUE, type PublishJobPayload } from './entryPublishScheduler.ts';
import { entryReads } from './reads.ts';

/** What a publish job did. */
export interface PublishJobResult {
  readonly published: boolean;
  /** Why nothing was published: the entry is gone, or its schedule changed. */
  readonly reason?: 'gone' | 'superseded';
  /** The entry version after publishing. */
  readonly version?: number;
}

function payloadOf(job: Job): PublishJobPayload {
  const p = job.payload as Partial<PublishJobPayload> | null;
  if (
    p === null ||
    typeof p !== 'object' ||
    typeof p.tenantId !== 'string' ||
    typeof p.entryId !== 'string' ||
    typeof p.at !== 'string' ||
    typeof p.actor !== 'string'
  ) {
    throw new TypeError(`content.publish job ${job.id} has a malformed payload`);
  }
  return { tenantId: p.tenantId, entryId: p.entryId, at: p.at, actor: p.actor };
}

/** Runs one publish job against `store`. */
export async function runPublishJob(store: Store, job: Job): Promise<PublishJobResult> {
  const payload = payloadOf(job);
  const found = await entryReads(store).withType(payload.tenantId, payload.entryId);
  if (found === undefined) return { published: false, reason: 'gone' };
  if (found.row.scheduled_publish_at !== payload.at) return { published: false, reason: 'superseded' };
  const entry = await publishLoaded({ store, db: undefined, found, actor: payload.actor, scheduled: true });
  return { published: true, version: entry.version };
}

/** The worker handler for the `content.publish` queue. */
export function publishJobHandler(plane: DataPlane): JobHandler {
  return (job) => runPublishJob(plane.store, job);
}

/** The worker registration of scheduled publishing (listed in experience/workers.ts JOBS). */
export const SCHEDULED_PUBLISH_JOB = Object.freeze({ queue: PUBLISH_QUEUE, handler: publishJobHandler });
