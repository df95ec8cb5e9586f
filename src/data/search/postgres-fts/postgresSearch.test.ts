/** PostgreSQL-only search behaviour: rank windows over the newest matches. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS, openTestStore, type TestStore } from '../../../../test/support/backends.ts';
import type { SearchDocument, SearchIndex, SearchQuery } from '../port.ts';
import { createPostgresSearch } from './postgresSearch.ts';

function doc(tenantId: string, i: number, tf: number, tags: readonly string[] = []): SearchDocument {
  // Equal lengths, so the rank follows how often "kestrel" occurs; updated_at follows i (k009 is the newest).
  const words = [...Array(tf).fill('kestrel'), ...Array(10 - tf).fill('filler')];
  return {
    tenantId,
    id: `k${String(i).padStart(3, '0')}`,
    type: 'article',
    status: 'published',
    tags,
    title: 'Birds',
    body: words.join(' '),
    updatedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(),
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

if (BACKENDS.includes('distributed')) {
  describe('postgres search: rank windows', () => {
    let t: TestStore;
    let windowed: SearchIndex;
    let exact: SearchIndex;
    before(async () => {
      t = await openTestStore('distributed');
      windowed = createPostgresSearch(t.store, { rankWindow: 3 });
      exact = createPostgresSearch(t.store);
      // tf cycles so ranking and recency disagree.
      const docs = Array.from({ length: 10 }, (_, i) => doc('win', i, 1 + ((i * 7) % 5), i % 2 === 0 ? ['even'] : []));
      await exact.upsertMany(docs);
      await exact.upsertMany(
        Array.from({ length: 30 }, (_, i) => ({ ...doc('win', 100 + i, 0), body: `other words ${i}` })),
      );
    });
    after(async () => {
      await t.cleanup();
    });

    test('a window at least as large as the match count ranks exactly', async () => {
      const page = await exact.query({ tenantId: 'win', q: 'kestrel', limit: 10 });
      assert.equal(page.items.length, 10);
      const scores = page.items.map((h) => h.score);
      assert.deepEqual(
        scores,
        [...scores].sort((a, b) => b - a),
      );
      // tf 5 first: i*7 % 5 === 4 for i = 2, 7.
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
      assert.equal(all[3], 'k004');
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
      // Window 1 of the even documents is k008, k006, k004: k004 (tf 4) ranks first.
      assert.equal(even[0], 'k004');
    });

    test('a cursor from the other backend is refused', async () => {
      const foreign = Buffer.from(JSON.stringify({ score: 1, id: 'k001', w: 5 })).toString('base64url');
      await assert.rejects(windowed.query({ tenantId: 'win', q: 'kestrel', limit: 2, cursor: foreign }), {
        name: 'SearchQueryError',
      });
    });
  });
}
