/**
 * The catalog on every backend: versions cached, label lookups cached and invalidated in every catalog on the same
 * kv within a second (distributed: two Redis connections, as in two processes), TTL as the safety net.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS, openTestStore, TEST_REDIS_URL, type TestStore, uniqueName } from '../../../test/support/backends.ts';
import { eventually } from '../../../test/support/eventually.ts';
import type { Kv } from '../../data/kv/port.ts';
import { createRedisKv } from '../../data/kv/redis/redisKv.ts';
import { createSqliteKv } from '../../data/kv/sqlite/sqliteKv.ts';
import { GalleyError } from '../../experience/errors/errors.ts';
import { createPromptCatalog, type PromptCatalog } from './promptCatalog.ts';
import { setPromptLabel } from './promptLabeler.ts';
import { registerPromptSources } from './promptRegistrar.ts';
import { makePromptDir, promptText } from './testing.ts';

async function registerSeoVariant(t: TestStore, n: number): Promise<string> {
  const folder = makePromptDir({ 'seo.md': promptText('seo', { system: `Variant ${n}. Reply with JSON.` }) });
  try {
    const [result] = await registerPromptSources({ store: t.store, dir: folder.dir, actor: 'setup' });
    assert.ok(result);
    return result.hash;
  } finally {
    folder.cleanup();
  }
}

for (const backend of BACKENDS) {
  describe(`createPromptCatalog (${backend})`, () => {
    let t: TestStore;
    const prefix = uniqueName('prompts');
    const kvs: Kv[] = [];
    const catalogs: PromptCatalog[] = [];
    let hashes: string[];
    // One kv per simulated process: a Redis connection each, or (embedded, one process) the store's kv.
    const openKv = (): Kv => {
      const kv = backend === 'distributed' ? createRedisKv({ url: TEST_REDIS_URL, prefix }) : createSqliteKv(t.store);
      kvs.push(kv);
      return kv;
    };
    const openCatalog = (labelTtlMs = 60_000): PromptCatalog => {
      const catalog = createPromptCatalog(t.store, openKv(), { labelTtlMs });
      catalogs.push(catalog);
      return catalog;
    };
    before(async () => {
      t = await openTestStore(backend);
      hashes = [await registerSeoVariant(t, 0), await registerSeoVariant(t, 1), await registerSeoVariant(t, 2)];
    });
    after(async () => {
      for (const catalog of catalogs) await catalog.close();
      for (const kv of kvs) await kv.close();
      await t.cleanup();
    });

    test('versions are read once and shared', async () => {
      const catalog = openCatalog();
      const [v0] = hashes;
      assert.ok(v0);
      const [a, b] = await Promise.all([catalog.byHash(v0), catalog.byHash(v0)]);
      assert.equal(a, b);
      assert.equal(await catalog.byHash(v0), a);
      assert.equal(a.hash, v0);
      assert.equal(a.task, 'seo');
      assert.ok(Object.isFrozen(a) && Object.isFrozen(a.params));
      await assert.rejects(
        catalog.byHash('0'.repeat(64)),
        (e: unknown) => e instanceof GalleyError && e.code === 'GALLEY_NOT_FOUND',
      );
    });

    test('a label moved through one catalog is seen by another within a second', async () => {
      const [v0, v1, v2] = hashes;
      assert.ok(v0 && v1 && v2);
      const first = openCatalog();
      const second = openCatalog();
      assert.equal((await first.byLabel('seo', 'production')).hash, v0);
      assert.equal((await second.byLabel('seo', 'production')).hash, v0);
      const change = await first.setLabel({
        task: 'seo',
        label: 'production',
        hash: v1,
        actor: 'op',
        reason: 'promote',
      });
      assert.equal(change.changed, true);
      assert.equal((await first.byLabel('seo', 'production')).hash, v1); // its own move, at once
      const ms = await eventually(async () => (await second.byLabel('seo', 'production')).hash === v1, 1000);
      assert.ok(ms <= 1000);
      // And back, through the other catalog.
      await second.setLabel({ task: 'seo', label: 'production', hash: v2, actor: 'op', reason: 'again' });
      await eventually(async () => (await first.byLabel('seo', 'production')).hash === v2, 1000);
    });

    test('without a notice, lookups are served from cache until the TTL ends', async () => {
      const [v0, v1] = hashes;
      assert.ok(v0 && v1);
      await setPromptLabel({ store: t.store, task: 'seo', label: 'quiet', hash: v0, actor: 'op', reason: 'setup' });
      const catalog = openCatalog(300);
      assert.equal((await catalog.byLabel('seo', 'quiet')).hash, v0);
      // A move that announces nothing (no kv): the cached pointer is still served…
      await setPromptLabel({ store: t.store, task: 'seo', label: 'quiet', hash: v1, actor: 'op', reason: 'no kv' });
      assert.equal((await catalog.byLabel('seo', 'quiet')).hash, v0);
      // …until the safety-net TTL expires.
      await eventually(async () => (await catalog.byLabel('seo', 'quiet')).hash === v1, 2000);
    });

    test('a missing label is an error, and is not remembered', async () => {
      const [v0] = hashes;
      assert.ok(v0);
      const catalog = openCatalog();
      await assert.rejects(
        catalog.byLabel('seo', 'later'),
        (e: unknown) => e instanceof GalleyError && e.code === 'GALLEY_NOT_FOUND',
      );
      await setPromptLabel({ store: t.store, task: 'seo', label: 'later', hash: v0, actor: 'op', reason: 'now' });
      assert.equal((await catalog.byLabel('seo', 'later')).hash, v0);
    });
  });
}
