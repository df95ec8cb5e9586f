/** Queue contract: the same cases against the embedded (SQLite) and distributed (BullMQ) adapters. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { BACKENDS, openTestStore, TEST_REDIS_URL, type TestStore, uniqueName } from '../../../test/support/backends.ts';
import { createBullmqQueue } from './bullmq/bullmqQueue.ts';
import type { Job, Queue } from './port.ts';
import { createSqliteQueue } from './sqlite/sqliteQueue.ts';

/** Polls `check` until it returns a value other than undefined/false; generous deadline, no tight timing. */
async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Deletes every Redis key under `prefix` (the BullMQ queues and the adapter's own keys). */
async function deleteRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}

for (const backend of BACKENDS) {
  describe(`queue contract (${backend})`, () => {
    let store: TestStore | undefined;
    const prefix = uniqueName('q');
    const opened: Queue[] = [];
    /** A new adapter instance over the same database or Redis prefix (a second process, in effect). */
    const open = (): Queue => {
      const queue =
        store === undefined ? createBullmqQueue({ url: TEST_REDIS_URL, prefix }) : createSqliteQueue(store.store);
      opened.push(queue);
      return queue;
    };
    let q: Queue;

    before(async () => {
      if (backend === 'embedded') store = await openTestStore('embedded');
      q = open();
    });
    after(async () => {
      await Promise.all(opened.map((queue) => queue.close(1000)));
      if (store !== undefined) await store.cleanup();
      else await deleteRedisPrefix(prefix);
    });

    test('ping answers', async () => {
      await q.ping();
    });

    test('the same idempotency key returns the same job', async () => {
      const name = uniqueName('idem');
      const first = await q.enqueue(name, { n: 1 }, { idempotencyKey: 'order:42' });
      const second = await q.enqueue(name, { n: 2 }, { idempotencyKey: 'order:42' });
      assert.equal(first.created, true);
      assert.deepEqual(second, { id: first.id, created: false });
      const other = await q.enqueue(uniqueName('idem'), { n: 3 }, { idempotencyKey: 'order:42' });
      assert.equal(other.created, true);
      assert.notEqual(other.id, first.id);
      assert.equal((await q.status(first.id))?.state, 'waiting');
      assert.equal(await q.status('no-such-job'), undefined);
    });

    test('higher priority runs first, then FIFO', async () => {
      const name = uniqueName('prio');
      await q.enqueue(name, 'low-1', { priority: 0 });
      await q.enqueue(name, 'high', { priority: 10 });
      await q.enqueue(name, 'low-2', { priority: 0 });
      const seen: string[] = [];
      const worker = q.process<string, null>(
        name,
        async (job) => {
          seen.push(job.payload);
          return null;
        },
        { concurrency: 1 },
      );
      await waitFor('three jobs', () => seen.length === 3);
      await worker.close();
      assert.deepEqual(seen, ['high', 'low-1', 'low-2']);
    });

    test('a delayed job does not run before its delay', async () => {
      const name = uniqueName('delay');
      const enqueuedAt = Date.now();
      const { id } = await q.enqueue(name, null, { delayMs: 800 });
      assert.equal((await q.status(id))?.state, 'delayed');
      let startedAt = 0;
      const worker = q.process(
        name,
        async () => {
          startedAt = Date.now();
          return 'ok';
        },
        { concurrency: 1 },
      );
      await waitFor('the delayed job', () => startedAt > 0);
      await worker.close();
      assert.ok(startedAt - enqueuedAt >= 780, `started after ${startedAt - enqueuedAt} ms`);
    });

    test('a failed attempt is retried after backoff, then succeeds', async () => {
      const name = uniqueName('retry');
      const attempts: number[] = [];
      const worker = q.process<{ x: number }, { doubled: number }>(
        name,
        async (job) => {
          attempts.push(job.attempt);
          if (job.attempt === 1) throw new Error('transient');
          return { doubled: job.payload.x * 2 };
        },
        { concurrency: 1 },
      );
      const { id } = await q.enqueue(name, { x: 21 }, { maxAttempts: 3, backoffMs: 100 });
      const status = await waitFor('completion', async () => {
        const s = await q.status<{ doubled: number }>(id);
        return s?.state === 'completed' ? s : undefined;
      });
      await worker.close();
      assert.deepEqual(attempts, [1, 2]);
      assert.equal(status.attempts, 2);
      assert.deepEqual(status.result, { doubled: 42 });
    });

    test('exhausted attempts dead-letter the job; retryDeadLetter runs it again', async () => {
      const name = uniqueName('dead');
      let healthy = false;
      const worker = q.process(
        name,
        async (job) => {
          if (!healthy) throw new Error(`boom ${job.attempt}`);
          return 'fixed';
        },
        { concurrency: 1 },
      );
      const { id } = await q.enqueue(name, { a: 1 }, { maxAttempts: 2, backoffMs: 50 });
      const [letter] = await waitFor('a dead letter', async () => {
        const letters = await q.deadLetters(name);
        return letters.length > 0 ? letters : undefined;
      });
      assert.equal(letter?.id, id);
      assert.equal(letter?.queue, name);
      assert.deepEqual(letter?.payload, { a: 1 });
      assert.equal(letter?.attempts, 2);
      assert.equal(letter?.error, 'boom 2');
      assert.ok((letter?.failedAt ?? 0) > 0);
      const failed = await q.status(id);
      assert.equal(failed?.state, 'failed');
      assert.equal(failed?.error, 'boom 2');
      assert.equal((await q.stats(name)).deadLettered, 1);

      healthy = true;
      assert.equal(await q.retryDeadLetter(id), true);
      const done = await waitFor('the retried job', async () => {
        const s = await q.status(id);
        return s?.state === 'completed' ? s : undefined;
      });
      await worker.close();
      assert.equal(done.result, 'fixed');
      assert.equal(done.attempts, 1);
      assert.deepEqual(await q.deadLetters(name), []);
      assert.equal(await q.retryDeadLetter(id), false);
    });

    test('cancelling a running job aborts its signal; a cancelled waiting job never runs', async () => {
      const name = uniqueName('cancel');
      const ran: string[] = [];
      let runningSignal: AbortSignal | undefined;
      // Enqueued before any worker exists, so it is certainly still waiting when cancelled.
      const waiting = await q.enqueue(name, 'waiting');
      assert.equal(await q.cancel(waiting.id), true);
      assert.equal((await q.status(waiting.id))?.state, 'cancelled');

      const worker = q.process<string, string>(
        name,
        async (job, signal) => {
          ran.push(job.payload);
          if (job.payload !== 'long') return 'done';
          runningSignal = signal;
          await new Promise((_resolve, reject) => {
            signal.addEventListener('abort', () => reject(signal.reason), { once: true });
          });
          return 'unreachable';
        },
        { concurrency: 1 },
      );
      const long = await q.enqueue(name, 'long');
      await waitFor('the long job to start', async () => (await q.status(long.id))?.state === 'active');
      assert.equal(await q.cancel(long.id), true);
      await waitFor('the abort', () => runningSignal?.aborted === true);
      await waitFor('the cancelled state', async () => (await q.status(long.id))?.state === 'cancelled');
      assert.equal(await q.cancel(long.id), false);

      const sentinel = await q.enqueue(name, 'sentinel');
      await waitFor('the sentinel', async () => (await q.status(sentinel.id))?.state === 'completed');
      await worker.close();
      assert.deepEqual(ran, ['long', 'sentinel']);
    });

    test('a concurrency key caps running jobs across the worker', async () => {
      const name = uniqueName('ckey');
      let current = 0;
      let peak = 0;
      let finished = 0;
      const worker = q.process(
        name,
        async () => {
          current += 1;
          peak = Math.max(peak, current);
          await pause(40);
          current -= 1;
          finished += 1;
          return null;
        },
        { concurrency: 5 },
      );
      for (let i = 0; i < 5; i += 1)
        await q.enqueue(name, i, { concurrencyKey: `tenant-${name}`, concurrencyLimit: 1 });
      await waitFor('five jobs', () => finished === 5);
      await worker.close();
      assert.equal(peak, 1);
    });

    test('stats report depth and the age of the oldest waiting job', async () => {
      const name = uniqueName('stats');
      for (let i = 0; i < 3; i += 1) await q.enqueue(name, i);
      await q.enqueue(name, 'later', { delayMs: 60_000 });
      const stats = await waitFor('a positive age', async () => {
        const s = await q.stats(name);
        return s.oldestAgeMs > 0 ? s : undefined;
      });
      assert.equal(stats.depth, 4);
      assert.equal(stats.active, 0);
      assert.equal(stats.deadLettered, 0);
      assert.deepEqual(await q.stats(uniqueName('empty')), { depth: 0, active: 0, deadLettered: 0, oldestAgeMs: 0 });
    });

    test('a job whose worker died is delivered again after its lease', async () => {
      const name = uniqueName('lease');
      const crashed = open();
      let firstAttempt = 0;
      // Never settles and ignores its signal: the closest an in-process test gets to kill -9.
      crashed.process(
        name,
        (job: Job) => {
          firstAttempt = job.attempt;
          return new Promise<never>(() => {});
        },
        { concurrency: 1, leaseMs: 500 },
      );
      const { id } = await q.enqueue(name, 'survive');
      await waitFor('the first delivery', () => firstAttempt > 0);
      await crashed.close(0);

      const rescuer = open();
      let secondAttempt = 0;
      rescuer.process(
        name,
        async (job: Job) => {
          secondAttempt = job.attempt;
          return 'recovered';
        },
        { concurrency: 1, leaseMs: 500 },
      );
      const status = await waitFor('redelivery', async () => {
        const s = await q.status(id);
        return s?.state === 'completed' ? s : undefined;
      });
      assert.equal(firstAttempt, 1);
      assert.equal(secondAttempt, 2);
      assert.equal(status.result, 'recovered');
    });
  });
}
