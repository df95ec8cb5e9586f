/** The PostgreSQL window finder: walk, longer walk and bitmap all find the same members. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { BACKENDS, openTestStore, type TestStore } from '../../../../test/support/backends.ts';
import { createPostgresSearch } from './postgresSearch.ts';
import { findWindowMembers, type WindowSpec } from './windowMembers.ts';

const DOCS = 1000;

if (BACKENDS.includes('distributed')) {
  describe('postgres search: window members', () => {
    let t: TestStore;
    let db: Kysely<unknown>;
    // Every 10th document holds the word; updated_at follows i, so d0999 is the newest.
    const matching = Array.from({ length: DOCS / 10 }, (_, k) => `d${String(DOCS - 1 - k * 10).padStart(4, '0')}`);
    before(async () => {
      t = await openTestStore('distributed');
      db = t.store.db as unknown as Kysely<unknown>;
      await createPostgresSearch(t.store).upsertMany(
        Array.from({ length: DOCS }, (_, i) => ({
          tenantId: 'wm',
          id: `d${String(i).padStart(4, '0')}`,
          type: 'article',
          status: 'published',
          tags: [],
          title: 'Note',
          body: (DOCS - 1 - i) % 10 === 0 ? 'a kestrel flew by' : 'a sparrow flew by',
          updatedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, 0, i)).toISOString(),
        })),
      );
    });
    after(async () => {
      await t.cleanup();
    });

    function spec(window: number, start: WindowSpec['start'] = null, inclusive = true): WindowSpec {
      return {
        table: 'search_docs',
        tenantId: 'wm',
        conditions: [sql`d.tenant_id = ${'wm'}`, sql`d.tsv @@ websearch_to_tsquery('simple', ${'kestrel'})`],
        start,
        inclusive,
        window,
      };
    }

    test('the probe alone, a longer walk, and the bitmap agree', async () => {
      // Window 2: the 8-row probe already holds one match… then two within 20 rows.
      const huge = async () => 10_000_000; // the bitmap looks expensive: walk on
      const none = async () => 0; // the bitmap looks free: use it
      for (const window of [1, 2, 5, 30]) {
        const walked = await findWindowMembers(db, spec(window), huge);
        const viaBitmap = await findWindowMembers(db, spec(window), none);
        assert.deepEqual(walked, matching.slice(0, window), `window ${window} (walk)`);
        assert.deepEqual(viaBitmap, matching.slice(0, window), `window ${window} (bitmap)`);
      }
    });

    test('start positions are inclusive or exclusive', async () => {
      const start = { u: new Date(Date.UTC(2025, 0, 1, 0, 0, 0, 989)).toISOString(), i: 'd0989' };
      assert.deepEqual(await findWindowMembers(db, spec(2, start, true), async () => 0), ['d0989', 'd0979']);
      assert.deepEqual(await findWindowMembers(db, spec(2, start, false), async () => 10_000_000), ['d0979', 'd0969']);
      const last = { u: new Date(Date.UTC(2025, 0, 1, 0, 0, 0, 9)).toISOString(), i: 'd0009' };
      assert.deepEqual(await findWindowMembers(db, spec(5, last, false), async () => 10_000_000), []);
    });
  });
}
