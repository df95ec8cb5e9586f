/** Embedded kv specifics the contract cannot see: read-cache coherence with the table, sweeps, sharing. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { BACKENDS, openTestStore, type TestStore } from '../../../../test/support/backends.ts';
import type { Kv } from '../port.ts';
import { createSqliteKv } from './sqliteKv.ts';

// A type alias, not an interface: Kysely's table map must be an indexable record type.
type KvTables = {
  kv_entries: { key: string; value: string; expires_at: number | null };
};

describe('sqlite kv', { skip: !BACKENDS.includes('embedded') && 'embedded backend not selected' }, () => {
  let t: TestStore;
  before(async () => {
    t = await openTestStore('embedded');
  });
  after(async () => {
    await t.cleanup();
  });

  async function rowOf(key: string) {
    return t.store.db
      .withTables<KvTables>()
      .selectFrom('kv_entries')
      .select(['value', 'expires_at'])
      .where('key', '=', key)
      .executeTakeFirst();
  }

  test('the read cache agrees with the table after any interleaving of concurrent operations', async () => {
    const kv = createSqliteKv(t.store);
    const op = fc.oneof(
      fc.constant({ kind: 'get' as const }),
      fc.integer({ min: 0, max: 5 }).map((n) => ({ kind: 'set' as const, value: String(n) })),
      fc.integer({ min: -3, max: 3 }).map((delta) => ({ kind: 'increment' as const, delta })),
      fc.integer({ min: 0, max: 5 }).map((n) => ({ kind: 'cas' as const, expected: String(n), next: String(n + 1) })),
      fc.constant({ kind: 'delete' as const }),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 30 }), async (ops) => {
        const key = `prop:${run++}`;
        await Promise.allSettled(
          ops.map((o) => {
            if (o.kind === 'get') return kv.get(key);
            if (o.kind === 'set') return kv.set(key, o.value);
            if (o.kind === 'increment') return kv.increment(key, o.delta);
            if (o.kind === 'cas') return kv.compareAndSet(key, o.expected, o.next);
            return kv.delete(key);
          }),
        );
        assert.equal(await kv.get(key), (await rowOf(key))?.value);
      }),
      { numRuns: 60 },
    );
    await kv.close();
  });

  test('integers are stored as integer strings and expiries as epoch milliseconds', async () => {
    const kv = createSqliteKv(t.store);
    await kv.increment('ints', 7, { ttlMs: 60_000 });
    const row = await rowOf('ints');
    assert.equal(row?.value, '7');
    assert.ok(row !== undefined && typeof row.expires_at === 'number' && row.expires_at > Date.now());
    await kv.close();
  });

  test('reading an expired key deletes its row, and the sweep deletes the rest', async () => {
    const kv = createSqliteKv(t.store, { sweepIntervalMs: 50 });
    await kv.set('lazy', 'x', { ttlMs: 20 });
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.equal(await kv.get('lazy'), undefined);
    assert.equal(await rowOf('lazy'), undefined);
    await kv.set('swept', 'x', { ttlMs: 20 });
    const deadline = Date.now() + 5000;
    while ((await rowOf('swept')) !== undefined) {
      assert.ok(Date.now() < deadline, 'the sweep did not delete the expired row');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await kv.close();
  });

  test('instances on one store share cache and channels; closing one leaves the other working', async () => {
    const a: Kv = createSqliteKv(t.store);
    const b: Kv = createSqliteKv(t.store);
    await b.get('shared');
    await a.set('shared', 'from a');
    assert.equal(await b.get('shared'), 'from a');
    const received: string[] = [];
    await b.subscribe('ch', (m) => received.push(m));
    await a.publish('ch', 'hi');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(received, ['hi']);
    await b.close();
    await a.publish('ch', 'after close');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(received, ['hi']);
    assert.equal(await a.get('shared'), 'from a');
    await a.close();
  });
});
