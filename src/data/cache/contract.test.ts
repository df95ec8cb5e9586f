/** Cache contract: the same cases on every backend, plus cross-process invalidation on Redis. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS, type Backend, TEST_REDIS_URL, uniqueName } from '../../../test/support/backends.ts';
import { eventually } from '../../../test/support/eventually.ts';
import { deleteRedisKeys } from '../../../test/support/redisKeys.ts';
import { createMemoryCacheProvider } from './memory/memoryCache.ts';
import type { CacheProvider } from './port.ts';
import { createRedisCacheProvider } from './redis/redisCache.ts';

/** A provider under test plus, on Redis, a way to open another process's provider on the same prefix. */
interface CacheHarness {
  readonly provider: CacheProvider;
  /** Distributed only: a provider with its own connections, as another process would open. */
  openPeer(): CacheProvider;
  cleanup(): Promise<void>;
}

function openHarness(backend: Backend): CacheHarness {
  if (backend === 'embedded') {
    const provider = createMemoryCacheProvider();
    return {
      provider,
      openPeer: () => assert.fail('an embedded cache has no other process'),
      cleanup: () => provider.close(),
    };
  }
  const prefix = uniqueName('cache');
  const open = () => createRedisCacheProvider({ url: TEST_REDIS_URL, prefix });
  const provider = open();
  const peers: CacheProvider[] = [];
  return {
    provider,
    openPeer: () => {
      const peer = open();
      peers.push(peer);
      return peer;
    },
    async cleanup() {
      await Promise.all([provider, ...peers].map((p) => p.close()));
      await deleteRedisKeys(`${prefix}:*`);
    },
  };
}

interface Entry {
  readonly title: string;
}

for (const backend of BACKENDS) {
  describe(`cache contract (${backend})`, () => {
    let h: CacheHarness;
    before(() => {
      h = openHarness(backend);
    });
    after(async () => {
      await h.cleanup();
    });

    test('a miss then a hit are counted', async () => {
      const cache = h.provider.create<Entry>('counted', { max: 10, ttlMs: 60_000 });
      assert.equal(await cache.get('t1:a'), undefined);
      await cache.set('t1:a', { title: 'A' });
      assert.deepEqual(await cache.get('t1:a'), { title: 'A' });
      assert.deepEqual(cache.stats(), { hits: 1, misses: 1, size: 1 });
      assert.ok(h.provider.all().includes(cache));
      assert.throws(() => h.provider.create('counted', { max: 1, ttlMs: 1 }));
    });

    test('JSON null is a value, not a miss', async () => {
      const cache = h.provider.create<null>('nulls', { max: 10, ttlMs: 60_000 });
      await cache.set('t1:n', null);
      assert.equal(await cache.get('t1:n'), null);
      assert.equal(cache.stats().hits, 1);
    });

    test('entries expire after their ttl', async () => {
      const cache = h.provider.create<number>('ttl', { max: 10, ttlMs: 60_000 });
      await cache.set('t1:short', 1, 100);
      await cache.set('t1:long', 2);
      await eventually(async () => (await cache.get('t1:short')) === undefined);
      assert.equal(await cache.get('t1:long'), 2);
      const defaulted = h.provider.create<number>('ttl-default', { max: 10, ttlMs: 100 });
      await defaulted.set('t1:x', 3);
      await eventually(async () => (await defaulted.get('t1:x')) === undefined);
    });

    test('delete invalidates', async () => {
      const cache = h.provider.create<string>('deleted', { max: 10, ttlMs: 60_000 });
      await cache.set('t1:k', 'v');
      await cache.delete('t1:k');
      assert.equal(await cache.get('t1:k'), undefined);
      assert.equal(cache.stats().size, 0);
    });

    test('getOrLoad loads once under 20 concurrent calls', async () => {
      const cache = h.provider.create<Entry>('loaded', { max: 10, ttlMs: 60_000 });
      let loads = 0;
      const load = async () => {
        loads += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return { title: 'loaded' };
      };
      const values = await Promise.all(Array.from({ length: 20 }, () => cache.getOrLoad('t1:k', load)));
      assert.equal(loads, 1);
      for (const v of values) assert.deepEqual(v, { title: 'loaded' });
      assert.deepEqual(await cache.getOrLoad('t1:k', load), { title: 'loaded' });
      assert.equal(loads, 1);
    });

    test('a load that overlaps a delete is returned but not cached', async () => {
      const cache = h.provider.create<string>('raced', { max: 10, ttlMs: 60_000 });
      let release = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const pending = cache.getOrLoad('t1:k', async () => {
        await gate;
        return 'old';
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      await cache.delete('t1:k');
      release();
      assert.equal(await pending, 'old');
      assert.equal(await cache.get('t1:k'), undefined);
    });

    test('size stays within max', async () => {
      const cache = h.provider.create<number>('bounded', { max: 5, ttlMs: 60_000 });
      for (let i = 0; i < 20; i += 1) await cache.set(`t1:${i}`, i);
      assert.equal(cache.stats().size, 5);
      assert.equal(await cache.get('t1:19'), 19);
    });

    if (backend === 'distributed') {
      test('a value set in one process is a hit from Redis in another', async () => {
        const a = h.provider.create<Entry>('shared', { max: 10, ttlMs: 60_000 });
        const b = h.openPeer().create<Entry>('shared', { max: 10, ttlMs: 60_000 });
        await a.set('t1:k', { title: 'from A' });
        assert.deepEqual(await b.get('t1:k'), { title: 'from A' });
        assert.deepEqual(b.stats(), { hits: 1, misses: 0, size: 1 });
      });

      test('delete in one process evicts the key from every local tier within a second', async () => {
        const a = h.provider.create<string>('evicted', { max: 10, ttlMs: 60_000 });
        const b = h.openPeer().create<string>('evicted', { max: 10, ttlMs: 60_000 });
        await a.set('t1:k', 'v1');
        assert.equal(await b.get('t1:k'), 'v1');
        assert.equal(b.stats().size, 1);
        await a.delete('t1:k');
        await eventually(() => b.stats().size === 0, 1000);
        assert.equal(await b.get('t1:k'), undefined);
        // `set` replaces everywhere too: B must not keep serving its old copy.
        await a.set('t1:k', 'v2');
        assert.equal(await b.get('t1:k'), 'v2');
        await a.set('t1:k', 'v3');
        await eventually(() => b.stats().size === 0, 1000);
        assert.equal(await b.get('t1:k'), 'v3');
      });
    }
  });
}
