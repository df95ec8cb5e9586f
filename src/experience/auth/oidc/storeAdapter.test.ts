/** Adapter contract: the same cases on every backend. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { BACKENDS, openTestStore, type TestStore } from '../../../../test/support/backends.ts';
import { type AdapterFactory, createStoreAdapterFactory, sweepExpired } from './storeAdapter.ts';

for (const backend of BACKENDS) {
  describe(`oidc store adapter (${backend})`, () => {
    let t: TestStore;
    let clock = Date.now();
    let factory: AdapterFactory;
    const destroyed: string[] = [];
    before(async () => {
      t = await openTestStore(backend);
      factory = createStoreAdapterFactory({
        store: t.store,
        clientSecretKey: randomBytes(32),
        now: () => clock,
        onDestroyed: async (model, id) => {
          destroyed.push(`${model}:${id}`);
        },
      });
    });
    after(async () => {
      await t.cleanup();
    });

    test('upsert then find returns the payload; unknown ids are absent', async () => {
      const a = factory('AccessToken');
      await a.upsert('at1', { jti: 'at1', kind: 'AccessToken', grantId: 'g1', exp: 1 }, 60);
      assert.deepEqual(await a.find('at1'), { jti: 'at1', kind: 'AccessToken', grantId: 'g1', exp: 1 });
      assert.equal(await a.find('nope'), undefined);
      // Models are separate namespaces.
      assert.equal(await factory('RefreshToken').find('at1'), undefined);
    });

    test('upsert replaces an existing row', async () => {
      const s = factory('Session');
      await s.upsert('s1', { jti: 's1', uid: 'u1', accountId: 'a' }, 60);
      await s.upsert('s1', { jti: 's1', uid: 'u2', accountId: 'b' }, 60);
      assert.equal((await s.find('s1'))?.accountId, 'b');
      assert.equal(await s.findByUid('u1'), undefined);
      assert.equal((await s.findByUid('u2'))?.jti, 's1');
    });

    test('findByUserCode finds device codes', async () => {
      const d = factory('DeviceCode');
      await d.upsert('dc1', { jti: 'dc1', userCode: 'BCDFGHJK' }, 600);
      assert.equal((await d.findByUserCode('BCDFGHJK'))?.jti, 'dc1');
      assert.equal(await d.findByUserCode('ZZZZZZZZ'), undefined);
    });

    test('expired rows read as absent and are swept', async () => {
      const r = factory('RefreshToken');
      await r.upsert('old', { jti: 'old', uid: 'x' }, 1);
      await r.upsert('young', { jti: 'young' }, 3600);
      clock += 2000;
      assert.equal(await r.find('old'), undefined);
      assert.equal(await r.findByUid('x'), undefined);
      assert.ok(await r.find('young'));
      const removed = await sweepExpired(t.store, clock);
      assert.ok(removed >= 1);
      clock -= 2000;
      // Even with the clock back, the swept row is gone for good.
      assert.equal(await r.find('old'), undefined);
    });

    test('consume marks the row and only one of two concurrent consumers wins', async () => {
      const r = factory('RefreshToken');
      await r.upsert('rt1', { jti: 'rt1' }, 3600);
      const outcomes = await Promise.allSettled([r.consume('rt1'), r.consume('rt1')]);
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
      const rejected = outcomes.find((o) => o.status === 'rejected');
      assert.equal((rejected as PromiseRejectedResult).reason.error, 'invalid_grant');
      const found = await r.find('rt1');
      assert.equal(typeof found?.consumed, 'number');
    });

    test('revokeByGrantId removes the grant’s rows of that model only', async () => {
      const at = factory('AccessToken');
      const rt = factory('RefreshToken');
      await at.upsert('a-g2', { jti: 'a-g2', grantId: 'g2' }, 60);
      await rt.upsert('r-g2', { jti: 'r-g2', grantId: 'g2' }, 60);
      await rt.upsert('r-g3', { jti: 'r-g3', grantId: 'g3' }, 60);
      await rt.revokeByGrantId('g2');
      assert.equal(await rt.find('r-g2'), undefined);
      assert.ok(await rt.find('r-g3'));
      assert.ok(await at.find('a-g2'));
    });

    test('destroy removes the row and runs the hook', async () => {
      const g = factory('Grant');
      await g.upsert('g9', { jti: 'g9', accountId: 'a' }, 60);
      await g.destroy('g9');
      assert.equal(await g.find('g9'), undefined);
      assert.ok(destroyed.includes('Grant:g9'));
    });

    test('client secrets are sealed at rest and read back in clear', async () => {
      const c = factory('Client');
      await c.upsert('svc', { client_id: 'svc', client_secret: 'hunter2-very-secret' }, undefined);
      assert.equal((await c.find('svc'))?.client_secret, 'hunter2-very-secret');
      const raw = await t.store.db
        .withTables<{ oidc_models: { model: string; id: string; payload: string } }>()
        .selectFrom('oidc_models')
        .select('payload')
        .where('model', '=', 'Client')
        .where('id', '=', 'svc')
        .executeTakeFirstOrThrow();
      assert.ok(!raw.payload.includes('hunter2'));
    });
  });
}
