/**
 * Both queue adapters carry a job's trace context from enqueue to every attempt of its handler: the contract the
 * tracing layer relies on to continue one trace from the API through the queue into the worker.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { BACKENDS, openTestStore, TEST_REDIS_URL, type TestStore, uniqueName } from '../../../test/support/backends.ts';
import { createBullmqQueue } from '../../data/queue/bullmq/bullmqQueue.ts';
import type { Job, Queue, TraceCarrier } from '../../data/queue/port.ts';
import { createSqliteQueue } from '../../data/queue/sqlite/sqliteQueue.ts';

const CARRIER: TraceCarrier = {
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  tracestate: 'galley=t61rcWkgMzE',
};

async function waitFor(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function deleteRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 500 })) {
      if (Array.isArray(keys) && keys.length > 0) await redis.del(...keys.map(String));
    }
  } finally {
    await redis.quit();
  }
}

for (const backend of BACKENDS) {
  describe(`job trace context (${backend})`, () => {
    const prefix = uniqueName('tc');
    let store: TestStore | undefined;
    let queue: Queue;

    before(async () => {
      if (backend === 'embedded') {
        store = await openTestStore('embedded');
        queue = createSqliteQueue(store.store, { pollMs: 50 });
      } else {
        queue = createBullmqQueue({ url: TEST_REDIS_URL, prefix });
      }
    });

    after(async () => {
      await queue.close(1000);
      if (store !== undefined) await store.cleanup();
      else await deleteRedisPrefix(prefix);
    });

    /** Runs the queue's handler until `count` attempts were seen; returns the jobs each attempt received. */
    async function attempts(name: string, count: number, fail: (job: Job) => boolean): Promise<Job[]> {
      const seen: Job[] = [];
      const worker = queue.process(
        name,
        async (job) => {
          seen.push(job);
          if (fail(job)) throw new Error('scripted failure');
          return 'done';
        },
        { concurrency: 1 },
      );
      try {
        await waitFor(`${count} attempts on ${name}`, () => seen.length >= count);
      } finally {
        await worker.close(1000);
      }
      return seen;
    }

    test('the context given at enqueue reaches the handler, and a retried attempt sees it again', async () => {
      const name = uniqueName('traced');
      await queue.enqueue(name, { n: 1 }, { traceContext: CARRIER, maxAttempts: 2, backoffMs: 0 });
      const seen = await attempts(name, 2, (job) => job.attempt === 1);
      assert.deepEqual(
        seen.map((job) => job.attempt),
        [1, 2],
      );
      for (const job of seen) {
        assert.deepEqual(job.traceContext, CARRIER);
        assert.ok(Object.isFrozen(job.traceContext));
      }
    });

    test('a job enqueued without context has none, and so does one given an empty carrier', async () => {
      const name = uniqueName('untraced');
      await queue.enqueue(name, { n: 1 });
      await queue.enqueue(name, { n: 2 }, { traceContext: {} });
      const seen = await attempts(name, 2, () => false);
      for (const job of seen) assert.equal('traceContext' in job, false);
    });

    test('an idempotent enqueue keeps the context the job was created with', async () => {
      const name = uniqueName('idem');
      const first = await queue.enqueue(name, { n: 1 }, { idempotencyKey: 'k', traceContext: CARRIER });
      const again = await queue.enqueue(
        name,
        { n: 1 },
        {
          idempotencyKey: 'k',
          traceContext: { traceparent: '00-11111111111111111111111111111111-2222222222222222-01' },
        },
      );
      assert.equal(again.id, first.id);
      assert.equal(again.created, false);
      const [job] = await attempts(name, 1, () => false);
      assert.deepEqual(job?.traceContext, CARRIER);
    });
  });
}
