/**
 * The budget guard on every kv adapter: 100 concurrent reservations at 99 % of the cap never overspend, settles
 * give back over-reservations and never lift a capped counter past its cap, a redelivered call reuses its
 * reservation, and each warning level is claimed once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS, openTestStore, type TestStore, uniqueName } from '../../../test/support/backends.ts';
import { testPlane } from '../../../test/support/plane.ts';
import { deleteRedisKeys } from '../../../test/support/redisKeys.ts';
import type { DataPlane } from '../../data/dataPlane.ts';
import { createBudgetGuard } from './budgetGuard.ts';

for (const backend of BACKENDS) {
  describe(`budget guard (${backend})`, () => {
    let t: TestStore;
    let plane: DataPlane;
    const prefix = uniqueName('budget');
    before(async () => {
      t = await openTestStore(backend);
      plane = testPlane(backend, t.store, prefix);
    });
    after(async () => {
      await plane.close();
      await t.cleanup();
      if (backend === 'distributed') await deleteRedisKeys(`${prefix}*`);
    });

    test('100 concurrent reservations at 99 % of the cap: the total stays within it', async () => {
      const guard = createBudgetGuard(plane.kv);
      const caps = { tokens: 100_000, costMicros: 0 };
      const first = await guard.reserve('t1', 'warm', { tokens: 99_000, costMicros: 0 }, caps);
      assert.ok(first.ok);
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) => guard.reserve('t1', `call-${i}`, { tokens: 300, costMicros: 0 }, caps)),
      );
      const granted = results.filter((r) => r.ok);
      assert.equal(granted.length, 3, 'only what fits in the remaining 1,000 tokens');
      const usage = await guard.usage('t1');
      assert.ok(usage.tokens <= caps.tokens);
      // Actual usage above the reservation never lifts the counter past the cap.
      for (const r of granted) if (r.ok) await guard.settle(r.reservation, { tokens: 5_000, costMicros: 0 }, caps);
      assert.ok((await guard.usage('t1')).tokens <= caps.tokens);
    });

    test('settling gives back the unused reservation; a redelivered call reuses its reservation', async () => {
      const guard = createBudgetGuard(plane.kv);
      const caps = { tokens: 10_000, costMicros: 1_000_000 };
      const a = await guard.reserve('t2', 'k', { tokens: 1_000, costMicros: 500 }, caps);
      const again = await guard.reserve('t2', 'k', { tokens: 1_000, costMicros: 500 }, caps);
      assert.ok(a.ok && again.ok);
      assert.equal((await guard.usage('t2')).tokens, 1_000);
      if (a.ok) await guard.settle(a.reservation, { tokens: 400, costMicros: 100 }, caps);
      const usage = await guard.usage('t2');
      assert.deepEqual([usage.tokens, usage.costMicros], [400, 100]);
      const refused = await guard.reserve('t2', 'big', { tokens: 1, costMicros: 2_000_000 }, caps);
      assert.deepEqual(refused, { ok: false, exceeded: 'cost' });
      assert.equal((await guard.usage('t2')).tokens, 400, 'a refused cost reservation gives its tokens back');
    });

    test('each warning level is claimed once per month', async () => {
      const guard = createBudgetGuard(plane.kv);
      const caps = { tokens: 100, costMicros: 0 };
      const usage = { month: '2026-11', tokens: 96, costMicros: 0 };
      const claims = await Promise.all([
        guard.claimWarnings('t3', usage, caps),
        guard.claimWarnings('t3', usage, caps),
      ]);
      assert.deepEqual([...claims.flat()].sort(), [0.8, 0.95]);
      assert.deepEqual(await guard.claimWarnings('t3', { ...usage, tokens: 100 }, caps), [1]);
    });
  });
}
