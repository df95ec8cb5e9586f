/** SQLite-only search behaviour: rank windows and tenant rowid ranges. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { BACKENDS, openTestStore, type TestStore } from '../../../../test/support/backends.ts';
import type { SearchDocument, SearchIndex, SearchQuery } from '../port.ts';
import { createSqliteSearch } from './sqliteSearch.ts';

function doc(tenantId: string, i: number, tf: number, tags: readonly string[] = []): SearchDocument {
  // Equal lengths, so bm25 orders by how often "kestrel" occurs.
  const words = [...Array(tf).fill('kestrel'), ...Array(10 - tf).fill('filler')];
  return {
    tenantId,
    id: `k${String(i).padStart(3, '0')}`,
    type: 'article',
    status: 'published',
    tags,
    title: 'Birds',
    body: words.join(' '),
    updatedAt: '2025-01-01T00:00:00.000Z',
  };
}

async function pages(index: SearchIndex, query: Omit<SearchQuery, 'cursor'>): Promise<string[][]> {
  const out: string[][] = [];
  let cursor: string | null = null;
  do {
    const page = await index.query({ ...query, cursor });
    out.push(page.items.map((h) => h.id));
    cursor = page.next;
  } while (cursor !== null && out.length < 100);
  return out;
}

if (BACKENDS.includes('embedded')) {
  describe('sqlite search: rank windows', () => {
    let t: TestStore;
    let windowed: SearchIndex;
    let exact: SearchIndex;
    before(async () => {
      t = await openTestStore('embedded');
      windowed = createSqliteSearch(t.store, { rankWindow: 3 });
      exact = createSqliteSearch(t.store);
      // Indexed in order k000…k009; tf cycles so ranking and recency disagree.
      const docs = Array.from({ length: 10 }, (_, i) => doc('win', i, 1 + ((i * 7) % 5), i % 2 === 0 ? ['even'] : []));
      for (const d of docs) await exact.upsert(d);
      await exact.upsertMany(
        Array.from({ length: 30 }, (_, i) => ({ ...doc('win', 100 + i, 0), body: `other words ${i}` })),
      );
    });
    after(async () => {
      await t.cleanup();
    });

    test('a window at least as large as the match count ranks exactly', async () => {
      const page = await exact.query({ tenantId: 'win', q: 'kestrel', limit: 10 });
      const scores = page.items.map((h) => h.score);
      assert.deepEqual(
        scores,
        [...scores].sort((a, b) => b - a),
      );
      assert.equal(page.items.length, 10);
      // tf 5 first: i*7 % 5 === 4 for i = 2, 7 (not necessarily tied: filter tokens count toward length).
      assert.deepEqual(
        page.items
          .slice(0, 2)
          .map((h) => h.id)
          .sort(),
        ['k002', 'k007'],
      );
    });

    test('windows of the newest matches are ranked in turn; pages cover every hit once', async () => {
      const all = (await pages(windowed, { tenantId: 'win', q: 'kestrel', limit: 2 })).flat();
      assert.equal(all.length, 10);
      assert.equal(new Set(all).size, 10);
      // Newest first: window 1 = k009, k008, k007 (ranked among themselves), then k006…k004, and so on.
      assert.deepEqual(all.slice(0, 3).sort(), ['k007', 'k008', 'k009']);
      assert.deepEqual(all.slice(3, 6).sort(), ['k004', 'k005', 'k006']);
      assert.equal(all[0], 'k007');
      for (const limit of [1, 3, 4, 9, 10, 11]) {
        const seen = (await pages(windowed, { tenantId: 'win', q: 'kestrel', limit })).flat();
        assert.deepEqual(seen, all, `limit ${limit}`);
      }
      const single = await windowed.query({ tenantId: 'win', q: 'kestrel', limit: 10 });
      assert.equal(single.next, null);
    });

    test('filters apply before windowing', async () => {
      const even = (await pages(windowed, { tenantId: 'win', q: 'kestrel', limit: 2, tag: 'even' })).flat();
      assert.deepEqual([...even].sort(), ['k000', 'k002', 'k004', 'k006', 'k008']);
    });

    test('tenants are separate rowid ranges; an unknown tenant finds nothing', async () => {
      await exact.upsert(doc('win-2', 1, 3));
      const other = await exact.query({ tenantId: 'win-2', q: 'kestrel', limit: 10 });
      assert.deepEqual(
        other.items.map((h) => h.id),
        ['k001'],
      );
      assert.deepEqual((await exact.query({ tenantId: 'never-indexed', q: 'kestrel', limit: 10 })).items, []);
      await exact.clearTenant('win-2');
      await exact.upsert(doc('win-2', 2, 3));
      assert.deepEqual(
        (await exact.query({ tenantId: 'win-2', q: 'kestrel', limit: 10 })).items.map((h) => h.id),
        ['k002'],
      );
    });

    test('a slot assigned in a transaction that rolls back is forgotten; committed slots are shared', async () => {
      const rollback = new Error('roll back');
      await assert.rejects(
        t.store.db.transaction().execute(async (trx) => {
          // Opened over the transaction, as the write path does (searchIn).
          const inTrx = createSqliteSearch({ ...t.store, db: trx });
          await inTrx.upsert(doc('rolled-back', 1, 2));
          assert.equal((await inTrx.query({ tenantId: 'rolled-back', q: 'kestrel', limit: 5 })).items.length, 1);
          throw rollback;
        }),
        rollback,
      );
      // The slot the rolled-back transaction took goes to the next tenant; the first one gets a fresh slot.
      await exact.upsert(doc('after-rollback', 1, 2));
      await t.store.db.transaction().execute(async (trx) => {
        await createSqliteSearch({ ...t.store, db: trx }).upsert(doc('rolled-back', 2, 4));
      });
      // Each document lies in the range of its tenant's committed slot (a cached dead slot would put it elsewhere).
      const placed = await sql<{ rid: number; slot: number }>`select d.rid, s.slot from search_docs d
        join search_tenants s on s.tenant_id = d.tenant_id where d.tenant_id in ('rolled-back', 'after-rollback')`.execute(
        t.store.db,
      );
      assert.equal(placed.rows.length, 2);
      for (const row of placed.rows) assert.equal(Math.floor(row.rid / 2 ** 32), row.slot);
      const fresh = createSqliteSearch(t.store);
      for (const [tenantId, id] of [
        ['rolled-back', 'k002'],
        ['after-rollback', 'k001'],
      ] as const) {
        const page = await fresh.query({ tenantId, q: 'kestrel', limit: 5 });
        assert.deepEqual(
          page.items.map((h) => h.id),
          [id],
          tenantId,
        );
        // The long-lived adapter (which cached nothing for these tenants before) agrees.
        assert.deepEqual(
          (await exact.query({ tenantId, q: 'kestrel', limit: 5 })).items.map((h) => h.id),
          [id],
        );
      }
    });
  });
}
