/** Kv contract: the same cases on every backend. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS, type Backend, openTestStore, TEST_REDIS_URL, uniqueName } from '../../../test/support/backends.ts';
import { eventually } from '../../../test/support/eventually.ts';
import { deleteRedisKeys } from '../../../test/support/redisKeys.ts';
import { KvNotAnIntegerError } from './errors.ts';
import type { Kv } from './port.ts';
import { createRedisKv } from './redis/redisKv.ts';
import { createSqliteKv } from './sqlite/sqliteKv.ts';

/** A kv under test plus a way to open another client on the same data. */
interface KvHarness {
  readonly kv: Kv;
  /** Distributed: a second connection set, as another process would open. Embedded: an instance with a cold cache. */
  openPeer(): Kv;
  cleanup(): Promise<void>;
}

async function openHarness(backend: Backend): Promise<KvHarness> {
  const peers: Kv[] = [];
  if (backend === 'embedded') {
    const t = await openTestStore(backend);
    const kv = createSqliteKv(t.store);
    return {
      kv,
      openPeer: () => {
        const peer = createSqliteKv(t.store);
        peers.push(peer);
        return peer;
      },
      async cleanup() {
        await Promise.all([kv, ...peers].map((k) => k.close()));
        await t.cleanup();
      },
    };
  }
  const prefix = uniqueName('kv');
  const kv = createRedisKv({ url: TEST_REDIS_URL, prefix });
  return {
    kv,
    openPeer: () => {
      const peer = createRedisKv({ url: TEST_REDIS_URL, prefix });
      peers.push(peer);
      return peer;
    },
    async cleanup() {
      await Promise.all([kv, ...peers].map((k) => k.close()));
      await deleteRedisKeys(`${prefix}:*`);
    },
  };
}

for (const backend of BACKENDS) {
  describe(`kv contract (${backend})`, () => {
    let h: KvHarness;
    before(async () => {
      h = await openHarness(backend);
    });
    after(async () => {
      await h.cleanup();
    });

    test('ping answers', async () => {
      await h.kv.ping();
    });

    test('get, set, overwrite and delete', async () => {
      assert.equal(await h.kv.get('basic'), undefined);
      await h.kv.set('basic', 'one');
      assert.equal(await h.kv.get('basic'), 'one');
      await h.kv.set('basic', 'two');
      assert.equal(await h.kv.get('basic'), 'two');
      assert.equal(await h.kv.delete('basic'), true);
      assert.equal(await h.kv.delete('basic'), false);
      assert.equal(await h.kv.get('basic'), undefined);
    });

    test('a key with a ttl expires and then reads as absent', async () => {
      await h.kv.set('ttl', 'soon', { ttlMs: 150 });
      await h.kv.set('ttl:kept', 'forever');
      await eventually(async () => (await h.kv.get('ttl')) === undefined);
      assert.equal(await h.kv.delete('ttl'), false);
      assert.equal(await h.kv.get('ttl:kept'), 'forever');
      // A write without ttl clears an earlier expiry.
      await h.kv.set('ttl:cleared', 'x', { ttlMs: 150 });
      await h.kv.set('ttl:cleared', 'y');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(await h.kv.get('ttl:cleared'), 'y');
    });

    test('compareAndSet writes only over the expected value', async () => {
      assert.equal(await h.kv.compareAndSet('cas', null, 'v1'), true);
      assert.equal(await h.kv.compareAndSet('cas', null, 'other'), false);
      assert.equal(await h.kv.compareAndSet('cas', 'wrong', 'other'), false);
      assert.equal(await h.kv.get('cas'), 'v1');
      assert.equal(await h.kv.compareAndSet('cas', 'v1', 'v2'), true);
      assert.equal(await h.kv.get('cas'), 'v2');
      await h.kv.delete('cas');
      assert.equal(await h.kv.compareAndSet('cas', 'v2', 'v3'), false);
      assert.equal(await h.kv.get('cas'), undefined);
    });

    test('an expired key counts as absent for compareAndSet', async () => {
      assert.equal(await h.kv.compareAndSet('cas:ttl', null, 'lease', { ttlMs: 150 }), true);
      await eventually(async () => (await h.kv.get('cas:ttl')) === undefined);
      assert.equal(await h.kv.compareAndSet('cas:ttl', 'lease', 'stolen'), false);
      assert.equal(await h.kv.compareAndSet('cas:ttl', null, 'again'), true);
      assert.equal(await h.kv.get('cas:ttl'), 'again');
    });

    test('increment creates at 0, accepts negative deltas, and reads back as an integer string', async () => {
      assert.equal(await h.kv.increment('ctr', 5), 5);
      assert.equal(await h.kv.increment('ctr', -8), -3);
      assert.equal(await h.kv.get('ctr'), '-3');
      await h.kv.set('ctr:text', 'abc');
      await assert.rejects(h.kv.increment('ctr:text', 1), KvNotAnIntegerError);
      await assert.rejects(h.kv.incrementWithLimit('ctr:text', 1, 10), KvNotAnIntegerError);
      assert.equal(await h.kv.get('ctr:text'), 'abc');
      await assert.rejects(h.kv.increment('ctr', 0.5), RangeError);
    });

    test('a counter created with a ttl expires and restarts from 0', async () => {
      assert.equal(await h.kv.increment('ctr:ttl', 3, { ttlMs: 150 }), 3);
      await eventually(async () => (await h.kv.get('ctr:ttl')) === undefined);
      assert.deepEqual(await h.kv.incrementWithLimit('ctr:ttl', 4, 10), { ok: true, value: 4 });
    });

    test('incrementWithLimit refuses past the limit and reports the unchanged value', async () => {
      assert.deepEqual(await h.kv.incrementWithLimit('lim', 8, 10), { ok: true, value: 8 });
      assert.deepEqual(await h.kv.incrementWithLimit('lim', 3, 10), { ok: false, value: 8 });
      assert.deepEqual(await h.kv.incrementWithLimit('lim', 2, 10), { ok: true, value: 10 });
      assert.deepEqual(await h.kv.incrementWithLimit('lim:new', 11, 10), { ok: false, value: 0 });
      assert.equal(await h.kv.get('lim:new'), undefined);
      assert.equal(await h.kv.increment('lim', -4), 6);
      assert.deepEqual(await h.kv.incrementWithLimit('lim', 4, 10), { ok: true, value: 10 });
    });

    test('100 concurrent reservations of 7 against 500 never exceed it', async () => {
      const results = await Promise.all(Array.from({ length: 100 }, () => h.kv.incrementWithLimit('budget', 7, 500)));
      const granted = results.filter((r) => r.ok);
      assert.equal(granted.length, Math.floor(500 / 7));
      for (const r of results) assert.ok(r.value <= 500, `value ${r.value} exceeds the limit`);
      assert.equal(await h.kv.get('budget'), String(Math.floor(500 / 7) * 7));
    });

    test('reads stay coherent with concurrent writes seen from a fresh client', async () => {
      const ops: Promise<unknown>[] = [];
      for (let i = 0; i < 60; i += 1) {
        ops.push(h.kv.get('mixed'));
        if (i % 3 === 0) ops.push(h.kv.set('mixed', String(i)));
        if (i % 3 === 1) ops.push(h.kv.increment('mixed', 1));
        if (i % 3 === 2) ops.push(h.kv.compareAndSet('mixed', String(i - 1), String(i * 10)));
      }
      await Promise.all(ops);
      const peer = h.openPeer();
      assert.equal(await h.kv.get('mixed'), await peer.get('mixed'));
      await h.kv.set('mixed', 'final');
      assert.equal(await h.kv.get('mixed'), 'final');
      assert.equal(await peer.get('mixed'), 'final');
    });

    test('publish reaches a subscriber within one second', async () => {
      const received: string[] = [];
      const unsubscribe = await h.kv.subscribe('news', (m) => received.push(m));
      await h.kv.publish('news', 'hello');
      await eventually(() => received.length > 0, 1000);
      assert.deepEqual(received, ['hello']);
      await unsubscribe();
    });

    test('unsubscribe stops delivery to that listener only', async () => {
      const stopped: string[] = [];
      const kept: string[] = [];
      const unsubscribe = await h.kv.subscribe('topic', (m) => stopped.push(m));
      const unsubscribeKept = await h.kv.subscribe('topic', (m) => kept.push(m));
      await h.kv.publish('topic', 'first');
      await eventually(() => stopped.length === 1 && kept.length === 1);
      await unsubscribe();
      await h.kv.publish('topic', 'second');
      // Both listeners share one delivery path, so once `kept` has the message `stopped` would have it too.
      await eventually(() => kept.length === 2);
      assert.deepEqual(stopped, ['first']);
      await unsubscribeKept();
    });

    if (backend === 'distributed') {
      test('a second client with the same prefix receives publications (cross-process)', async () => {
        const other = h.openPeer();
        const received: string[] = [];
        const unsubscribe = await other.subscribe('fanout', (m) => received.push(m));
        await h.kv.publish('fanout', 'to everyone');
        await eventually(() => received.length > 0, 1000);
        assert.deepEqual(received, ['to everyone']);
        await unsubscribe();
        assert.equal(await other.get('ctr'), '-3');
      });
    }
  });
}
