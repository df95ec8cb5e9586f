/** Group commit: writes queued together commit together, and one failing write fails alone. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { BACKENDS, openTestStore, type TestStore } from '../../../../test/support/backends.ts';
import { WriteBatcher } from './writeBatcher.ts';

describe('write batcher', { skip: !BACKENDS.includes('embedded') && 'embedded backend not selected' }, () => {
  let t: TestStore;
  before(async () => {
    t = await openTestStore('embedded');
  });
  after(async () => {
    await t.cleanup();
  });

  const countRows = async () =>
    Number((await sql<{ n: number }>`select count(*) as n from kv_entries`.execute(t.store.db)).rows[0]?.n);

  test('concurrent writes all commit; a throwing write fails alone; a bad statement fails alone', async () => {
    const batcher = new WriteBatcher(t.store.db);
    let inTransaction = 0;
    const insert = (key: string) =>
      batcher.submit(async (db) => {
        await sql`insert into kv_entries (key, value) values (${key}, 'v')`.execute(db);
        if (db.isTransaction) inTransaction += 1;
        return key;
      });
    const results = await Promise.allSettled([
      insert('a'),
      insert('b'),
      batcher.submit(async () => {
        throw new Error('logic failure');
      }),
      insert('a'), // primary-key violation: only this statement rolls back
      insert('c'),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'fulfilled', 'rejected', 'rejected', 'fulfilled'],
    );
    assert.equal(await countRows(), 3);
    // The first write ran alone; the ones queued behind it shared a transaction.
    assert.ok(inTransaction >= 2, `expected batched writes, saw ${inTransaction}`);
  });
});
