/** Tenant bindings over the real adapter on every backend, with and without the per-process cache. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { BACKENDS, openTestStore, type TestStore } from '../../../../test/support/backends.ts';
import { type AdapterFactory, createStoreAdapterFactory } from './storeAdapter.ts';
import { createTenantBindings, TENANT_BINDING_MODEL } from './tokenClaims.ts';

for (const backend of BACKENDS) {
  describe(`tenant bindings (${backend})`, () => {
    let t: TestStore;
    let adapters: AdapterFactory;
    before(async () => {
      t = await openTestStore(backend);
      adapters = createStoreAdapterFactory({ store: t.store, clientSecretKey: randomBytes(32) });
    });
    after(async () => {
      await t.cleanup();
    });

    test('a binding is durable: another process (own cache) reads what this one bound', async () => {
      const here = createTenantBindings(adapters);
      const there = createTenantBindings(adapters);
      await here.bind('g1', 'tenant-a', 60);
      assert.equal(await here.tenantOf('g1'), 'tenant-a');
      assert.equal(await there.tenantOf('g1'), 'tenant-a');
      assert.equal((await adapters(TENANT_BINDING_MODEL).find('g1'))?.tenantId, 'tenant-a');
    });

    test('absence is not cached: a grant bound elsewhere after a miss is found', async () => {
      const here = createTenantBindings(adapters);
      const there = createTenantBindings(adapters);
      assert.equal(await here.tenantOf('g2'), undefined);
      await there.bind('g2', 'tenant-b', 60);
      assert.equal(await here.tenantOf('g2'), 'tenant-b');
    });

    test('unbind forgets the binding in the store and in this process', async () => {
      const here = createTenantBindings(adapters);
      await here.bind('g3', 'tenant-c', 60);
      assert.equal(await here.tenantOf('g3'), 'tenant-c');
      await here.unbind('g3');
      assert.equal(await here.tenantOf('g3'), undefined);
      assert.equal(await adapters(TENANT_BINDING_MODEL).find('g3'), undefined);
    });

    test('the cache serves repeat reads without the store; cacheSize 0 reads the store every time', async () => {
      const cached = createTenantBindings(adapters);
      const uncached = createTenantBindings(adapters, 0);
      await cached.bind('g4', 'tenant-d', 60);
      assert.equal(await uncached.tenantOf('g4'), 'tenant-d');
      // Another process revokes the grant: its binding row goes (the grant row with it, which is what every
      // token issuance checks first).
      await adapters(TENANT_BINDING_MODEL).destroy('g4');
      assert.equal(await cached.tenantOf('g4'), 'tenant-d', 'served from this process');
      assert.equal(await uncached.tenantOf('g4'), undefined, 'read from the store');
    });
  });
}
