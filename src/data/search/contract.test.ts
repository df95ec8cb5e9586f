/** Search contract: the same cases on every backend. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { BACKENDS, openTestStore, type TestStore } from '../../../test/support/backends.ts';
import { openSearchIndex } from './openSearch.ts';
import {
  type SearchCollection,
  type SearchDocument,
  type SearchIndex,
  type SearchQuery,
  SearchQueryError,
} from './port.ts';

const COLLECTIONS: readonly SearchCollection[] = ['current', 'published'];

let counter = 0;
function doc(tenantId: string, fields: Partial<SearchDocument> & { title: string; body: string }): SearchDocument {
  counter += 1;
  return {
    tenantId,
    id: `d${String(counter).padStart(4, '0')}`,
    type: 'article',
    status: 'published',
    tags: [],
    updatedAt: '2025-01-01T00:00:00.000Z',
    ...fields,
  };
}

// Filler so every tested word is rare in the corpus (bm25 clamps the weight of very common words).
function filler(tenantId: string, n: number): SearchDocument[] {
  return Array.from({ length: n }, (_, i) => doc(tenantId, { title: `filler ${i}`, body: `lorem ipsum dolor ${i}` }));
}

async function ids(index: SearchIndex, query: SearchQuery): Promise<string[]> {
  return (await index.query(query)).items.map((h) => h.id);
}

async function allPages(index: SearchIndex, query: Omit<SearchQuery, 'cursor'>): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages += 1) {
    const page = await index.query({ ...query, cursor });
    assert.ok(page.items.length <= query.limit);
    seen.push(...page.items.map((h) => h.id));
    if (page.next === null) return seen;
    cursor = page.next;
  }
  throw new Error('pagination did not end');
}

for (const backend of BACKENDS) {
  test(`the two collections are separate indexes (${backend})`, async () => {
    const t = await openTestStore(backend);
    try {
      const current = openSearchIndex(t.store);
      const published = openSearchIndex(t.store, 'published');
      await current.upsert(doc('coll', { id: 'e1', title: 'Draft heron', body: 'a heron in the draft' }));
      await published.upsert(doc('coll', { id: 'e1', title: 'Published egret', body: 'an egret as published' }));
      assert.deepEqual(await ids(current, { tenantId: 'coll', q: 'heron', limit: 5 }), ['e1']);
      assert.deepEqual(await ids(current, { tenantId: 'coll', q: 'egret', limit: 5 }), []);
      assert.deepEqual(await ids(published, { tenantId: 'coll', q: 'egret', limit: 5 }), ['e1']);
      assert.deepEqual(await ids(published, { tenantId: 'coll', q: 'heron', limit: 5 }), []);
      await published.remove('coll', 'e1');
      assert.deepEqual(await ids(current, { tenantId: 'coll', q: 'heron', limit: 5 }), ['e1']);
      await current.clearTenant('coll');
      assert.deepEqual(await ids(current, { tenantId: 'coll', q: 'heron', limit: 5 }), []);
    } finally {
      await t.cleanup();
    }
  });
}

for (const [backend, collection] of BACKENDS.flatMap((b) => COLLECTIONS.map((c) => [b, c] as const))) {
  describe(`search contract (${backend}, ${collection})`, () => {
    let t: TestStore;
    let index: SearchIndex;
    before(async () => {
      t = await openTestStore(backend);
      index = openSearchIndex(t.store, collection);
    });
    after(async () => {
      await t.cleanup();
    });

    test('a query never returns another tenant’s documents', async () => {
      const a = doc('iso-a', { id: 'same', title: 'Shared walrus', body: 'walrus facts' });
      const b = doc('iso-b', { id: 'same', title: 'Other walrus', body: 'walrus tales' });
      const b2 = doc('iso-b', { title: 'Walrus again', body: 'more walrus' });
      await index.upsertMany([a, b, b2]);
      const pageA = await index.query({ tenantId: 'iso-a', q: 'walrus', limit: 10 });
      assert.deepEqual(
        pageA.items.map((h) => [h.id, h.title]),
        [['same', 'Shared walrus']],
      );
      assert.deepEqual(
        (await ids(index, { tenantId: 'iso-b', q: 'walrus', limit: 10 })).sort(),
        [b2.id, 'same'].sort(),
      );
      assert.deepEqual(await ids(index, { tenantId: 'iso-c', q: 'walrus', limit: 10 }), []);
    });

    test('a title match outranks a body-only match', async () => {
      const body = doc('rank', { title: 'Notes', body: 'a short note about the pelican and other birds' });
      const title = doc('rank', { title: 'Pelican', body: 'a short note about seabirds and other birds' });
      await index.upsertMany([body, title, ...filler('rank', 20)]);
      const page = await index.query({ tenantId: 'rank', q: 'pelican', limit: 10 });
      assert.deepEqual(
        page.items.map((h) => h.id),
        [title.id, body.id],
      );
      const [first, second] = page.items;
      assert.ok(first !== undefined && second !== undefined && first.score > second.score);
    });

    test('snippets mark matches and escape the rest of the text as HTML', async () => {
      const d = doc('html', {
        title: 'Tom & <b>Jerry</b>',
        body: 'Before <script>alert("x")</script> & the capybara said "hi" it\'s <i>fine</i>',
      });
      await index.upsertMany([d, ...filler('html', 5)]);
      const [hit] = (await index.query({ tenantId: 'html', q: 'capybara', limit: 5 })).items;
      assert.ok(hit !== undefined);
      assert.match(hit.snippet, /<mark>capybara<\/mark>/i);
      assert.match(hit.snippet, /&amp;/);
      assert.doesNotMatch(hit.snippet.replace(/<\/?mark>/g, ''), /[<>"']/);
      assert.equal(hit.title, 'Tom & <b>Jerry</b>');
      const [titleHit] = (await index.query({ tenantId: 'html', q: 'jerry', limit: 5 })).items;
      assert.ok(titleHit !== undefined);
      assert.match(titleHit.snippet, /<mark>jerry<\/mark>/i);
      assert.doesNotMatch(titleHit.snippet.replace(/<\/?mark>/g, ''), /[<>]/);
    });

    test('filters narrow by type, status and tag', async () => {
      const a = doc('flt', { type: 'article', status: 'published', tags: ['news', 'uk'], title: 'Heron', body: 'x' });
      const b = doc('flt', { type: 'page', status: 'published', tags: ['news'], title: 'Heron', body: 'y' });
      const c = doc('flt', { type: 'article', status: 'draft', tags: ['sport'], title: 'Heron', body: 'z' });
      await index.upsertMany([a, b, c]);
      const q = { tenantId: 'flt', q: 'heron', limit: 10 };
      assert.deepEqual((await ids(index, q)).sort(), [a.id, b.id, c.id].sort());
      assert.deepEqual((await ids(index, { ...q, type: 'article' })).sort(), [a.id, c.id].sort());
      assert.deepEqual(await ids(index, { ...q, status: 'draft' }), [c.id]);
      assert.deepEqual((await ids(index, { ...q, tag: 'news' })).sort(), [a.id, b.id].sort());
      assert.deepEqual(await ids(index, { ...q, tag: 'news', type: 'article', status: 'published' }), [a.id]);
      assert.deepEqual(await ids(index, { ...q, tag: 'new' }), []);
    });

    test('pagination returns every hit exactly once, best first', async () => {
      const docs = Array.from({ length: 27 }, (_, i) =>
        doc('page', { title: i % 3 === 0 ? 'Ocelot' : 'Cat', body: `ocelot ${'word '.repeat(i % 5)}end` }),
      );
      await index.upsertMany([...docs, ...filler('page', 10)]);
      const seen = await allPages(index, { tenantId: 'page', q: 'ocelot', limit: 4 });
      assert.equal(seen.length, docs.length);
      assert.deepEqual([...seen].sort(), docs.map((d) => d.id).sort());
      const scores: number[] = [];
      let cursor: string | null = null;
      do {
        const page = await index.query({ tenantId: 'page', q: 'ocelot', limit: 5, cursor });
        scores.push(...page.items.map((h) => h.score));
        cursor = page.next;
      } while (cursor !== null);
      for (let i = 1; i < scores.length; i += 1) assert.ok((scores[i - 1] ?? 0) >= (scores[i] ?? 0), 'scores descend');
      const single = await index.query({ tenantId: 'page', q: 'ocelot', limit: 27 });
      assert.equal(single.items.length, 27);
      assert.equal(single.next, null);
    });

    test('phrases, exclusions and or', async () => {
      const ab = doc('syn', { title: 'one', body: 'quick brown fox' });
      const ba = doc('syn', { title: 'two', body: 'brown quick fox' });
      const a = doc('syn', { title: 'three', body: 'quick red fox' });
      const z = doc('syn', { title: 'four', body: 'zebra stripes' });
      await index.upsertMany([ab, ba, a, z, ...filler('syn', 10)]);
      const q = { tenantId: 'syn', limit: 10 };
      assert.deepEqual(await ids(index, { ...q, q: '"quick brown"' }), [ab.id]);
      assert.deepEqual((await ids(index, { ...q, q: 'quick brown' })).sort(), [ab.id, ba.id].sort());
      assert.deepEqual(await ids(index, { ...q, q: 'quick -brown' }), [a.id]);
      assert.deepEqual(await ids(index, { ...q, q: 'fox -"quick brown" -red' }), [ba.id]);
      assert.deepEqual((await ids(index, { ...q, q: 'zebra or red' })).sort(), [a.id, z.id].sort());
      assert.deepEqual((await ids(index, { ...q, q: 'zebra OR "brown quick"' })).sort(), [ba.id, z.id].sort());
    });

    test('upsert replaces a document; remove and clearTenant delete', async () => {
      const d = doc('upd', { title: 'Apple', body: 'apple pie', tags: ['fruit'] });
      await index.upsert(d);
      await index.upsert({ ...d, title: 'Banana', body: 'banana bread', tags: ['baking'], status: 'draft' });
      assert.deepEqual(await ids(index, { tenantId: 'upd', q: 'apple', limit: 5 }), []);
      const [hit] = (await index.query({ tenantId: 'upd', q: 'banana', limit: 5, tag: 'baking', status: 'draft' }))
        .items;
      assert.equal(hit?.title, 'Banana');
      assert.deepEqual(await ids(index, { tenantId: 'upd', q: 'banana', limit: 5, tag: 'fruit' }), []);
      // The last version in one batch wins.
      await index.upsertMany([
        { ...d, title: 'Cherry', body: 'cherry' },
        { ...d, title: 'Damson', body: 'damson' },
      ]);
      assert.deepEqual(await ids(index, { tenantId: 'upd', q: 'cherry', limit: 5 }), []);
      assert.deepEqual(await ids(index, { tenantId: 'upd', q: 'damson', limit: 5 }), [d.id]);

      const keep = doc('upd', { title: 'Damson jam', body: 'jam' });
      const other = doc('upd-other', { title: 'Damson', body: 'damson' });
      await index.upsertMany([keep, other]);
      await index.remove('upd', d.id);
      assert.deepEqual(await ids(index, { tenantId: 'upd', q: 'damson', limit: 5 }), [keep.id]);
      await index.clearTenant('upd');
      assert.deepEqual(await ids(index, { tenantId: 'upd', q: 'damson', limit: 5 }), []);
      assert.deepEqual(await ids(index, { tenantId: 'upd-other', q: 'damson', limit: 5 }), [other.id]);
    });

    test('unsearchable queries and foreign cursors are SearchQueryError', async () => {
      for (const q of ['', '   ', '*', '()', '-foo', '"" -', 'a or -b']) {
        await assert.rejects(
          index.query({ tenantId: 'x', q, limit: 5 }),
          SearchQueryError,
          `query ${JSON.stringify(q)}`,
        );
      }
      for (const cursor of ['not-a-cursor', Buffer.from('{"score":"x"}').toString('base64url'), '%%%']) {
        await assert.rejects(index.query({ tenantId: 'x', q: 'foo', limit: 5, cursor }), SearchQueryError);
      }
    });

    test('hostile query strings never raise anything but SearchQueryError', async () => {
      await index.upsertMany([
        doc('hostile', { title: 'NEAR near', body: 'and or not a:b c*d (e) "f" \u0002g\u0003' }),
      ]);
      const hostile = [
        '"',
        '"unterminated phrase',
        'a"b',
        '((a)',
        ')',
        'NEAR(a b, 3)',
        'NEAR(',
        'a*',
        '*',
        '^a',
        'title:foo',
        '{title body}:x',
        'a AND OR NOT b',
        'OR',
        'or or or',
        'NOT',
        '- - -',
        "'; drop table search_docs; --",
        '\u0000null\u0000',
        '\u0002mark\u0003',
        '🦜 émoji',
        'a'.repeat(5000),
        'w '.repeat(40),
      ];
      for (const q of hostile) {
        try {
          await index.query({ tenantId: 'hostile', q, limit: 5 });
        } catch (error) {
          assert.ok(error instanceof SearchQueryError, `${JSON.stringify(q.slice(0, 40))} raised ${String(error)}`);
        }
      }
      const page = await index.query({ tenantId: 'hostile', q: 'NEAR(', limit: 5 });
      assert.equal(page.items.length, 1);
      await fc.assert(
        fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 40 }), async (q) => {
          try {
            await index.query({ tenantId: 'hostile', q, limit: 3 });
          } catch (error) {
            if (!(error instanceof SearchQueryError)) throw error;
          }
        }),
        { numRuns: 150 },
      );
    });
  });
}
