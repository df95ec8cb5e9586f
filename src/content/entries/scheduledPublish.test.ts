/** Scheduled publishing through the backend's real queue (SQLite lease queue / BullMQ) and its job handler. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildArticleType, buildEntry, buildPrincipal, buildQueue, buildTenant } from '../../../test/factories.ts';
import { BACKENDS, openTestStore, type TestStore } from '../../../test/support/backends.ts';
import { sleep } from '../../data/queue/jobOptions.ts';
import type { JobStatus, Queue, Worker } from '../../data/queue/port.ts';
import type { Principal } from '../../experience/auth/principal.ts';
import { JOBS } from '../../experience/workers.ts';
import { deleteEntry } from './entryDeleter.ts';
import { PUBLISH_QUEUE, schedulePublish } from './entryPublishScheduler.ts';
import { getEntry } from './entryReader.ts';
import { type PublishJobResult, runPublishJob } from './publishJob.ts';
import { listRevisions } from './revisionLister.ts';

/** Polls `check` until it returns a value (generous deadline: the machine may be loaded). */
async function eventually<T>(check: () => Promise<T | undefined>, what: string, deadlineMs = 20_000): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const soon = (ms: number) => new Date(Date.now() + ms).toISOString();

for (const backend of BACKENDS) {
  describe(`scheduled publishing (${backend})`, () => {
    let t: TestStore;
    let queue: Queue;
    let worker: Worker;
    let tenantId: string;
    let editor: Principal;
    before(async () => {
      t = await openTestStore(backend);
      queue = buildQueue(backend, t.store);
      worker = queue.process(PUBLISH_QUEUE, (job) => runPublishJob(t.store, job), { concurrency: 2 });
      tenantId = (await buildTenant(t.store.db)).id;
      await buildArticleType(t.store, tenantId);
      editor = buildPrincipal({ tenantId, role: 'editor' });
    });
    after(async () => {
      await worker.close();
      await queue.close();
      await t.cleanup();
    });

    const finished = (jobId: string) =>
      eventually(async () => {
        const status = await queue.status<PublishJobResult>(jobId);
        return status?.state === 'completed' || status?.state === 'failed' ? status : undefined;
      }, `job ${jobId}`);

    test('the worker registration is in JOBS', () => {
      assert.ok(JOBS.some((j) => j.queue === PUBLISH_QUEUE));
    });

    test('publishes at the scheduled time through the queue', async () => {
      const entry = await buildEntry(t.store, { tenantId, actor: editor });
      const at = soon(400);
      const scheduled = await schedulePublish({ store: t.store, queue, actor: editor, tenantId, id: entry.id, at });
      assert.equal(scheduled.entry.scheduledPublishAt, at);
      assert.equal(scheduled.entry.version, 2);
      assert.ok(scheduled.jobId !== null);
      const status: JobStatus<PublishJobResult> = await finished(scheduled.jobId);
      assert.deepEqual(status.result, { published: true, version: 3 });
      const published = await getEntry({ store: t.store, actor: editor, tenantId, id: entry.id });
      assert.equal(published.status, 'published');
      assert.equal(published.scheduledPublishAt, null);
      assert.ok(published.publishedAt !== null && published.publishedAt >= at);
      const revisions = await listRevisions({ store: t.store, actor: editor, tenantId, id: entry.id });
      assert.deepEqual(
        revisions.items.map((r) => [r.event, r.actor]),
        [
          ['entry.published', `user:${editor.subject}`],
          ['entry.publish_scheduled', `user:${editor.subject}`],
          ['entry.created', `user:${editor.subject}`],
        ],
      );
    });

    test('the same schedule at the same version is one job (idempotency key)', async () => {
      const entry = await buildEntry(t.store, { tenantId, actor: editor });
      const key = `publish:${tenantId}:${entry.id}:2`;
      const first = await queue.enqueue(PUBLISH_QUEUE, { probe: true }, { idempotencyKey: key, delayMs: 3_600_000 });
      const scheduled = await schedulePublish({
        store: t.store,
        queue,
        actor: editor,
        tenantId,
        id: entry.id,
        at: '2100-01-01T00:00:00.000Z',
      });
      assert.equal(scheduled.jobId, first.id, 'the job enqueued under the same key is reused');
      await queue.cancel(first.id);
    });

    test('a newer schedule supersedes the older job; cancelling clears the schedule', async () => {
      const entry = await buildEntry(t.store, { tenantId, actor: editor });
      const first = await schedulePublish({
        store: t.store,
        queue,
        actor: editor,
        tenantId,
        id: entry.id,
        at: soon(300),
      });
      const later = '2100-01-01T00:00:00.000Z';
      const second = await schedulePublish({ store: t.store, queue, actor: editor, tenantId, id: entry.id, at: later });
      assert.notEqual(second.jobId, first.jobId);
      assert.ok(first.jobId !== null);
      assert.deepEqual((await finished(first.jobId)).result, { published: false, reason: 'superseded' });
      assert.equal((await getEntry({ store: t.store, actor: editor, tenantId, id: entry.id })).status, 'draft');
      const cancelled = await schedulePublish({
        store: t.store,
        queue,
        actor: editor,
        tenantId,
        id: entry.id,
        at: null,
      });
      assert.equal(cancelled.entry.scheduledPublishAt, null);
      assert.equal(cancelled.jobId, null);
      if (second.jobId !== null) await queue.cancel(second.jobId);
    });

    test('a deleted entry is not published', async () => {
      const entry = await buildEntry(t.store, { tenantId, actor: editor });
      const scheduled = await schedulePublish({
        store: t.store,
        queue,
        actor: editor,
        tenantId,
        id: entry.id,
        at: soon(300),
      });
      await deleteEntry({ store: t.store, actor: editor, tenantId, id: entry.id, expectedVersion: 2 });
      assert.ok(scheduled.jobId !== null);
      assert.deepEqual((await finished(scheduled.jobId)).result, { published: false, reason: 'gone' });
    });

    test('a bad time is a validation error naming /at', async () => {
      const entry = await buildEntry(t.store, { tenantId, actor: editor });
      await assert.rejects(
        schedulePublish({ store: t.store, queue, actor: editor, tenantId, id: entry.id, at: 'tomorrow' }),
        (e: unknown) => e instanceof Error && 'errors' in e && JSON.stringify(e.errors).includes('/at'),
      );
    });
  });
}
