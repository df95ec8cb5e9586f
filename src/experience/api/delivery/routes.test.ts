/**
 * The public delivery API on every backend: published content only, by id or slug, cache headers, strong ETags
 * with 304s, Surrogate-Key, keyset lists.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '../../../../test/support/backends.ts';
import { type ContentApiBench, openContentApiBench } from '../entries/testing.ts';
import { DELIVERY_CACHE_CONTROL } from './routes.ts';

for (const backend of BACKENDS) {
  describe(`delivery routes (${backend})`, () => {
    let t: ContentApiBench;
    before(async () => {
      t = await openContentApiBench(backend);
    });
    after(async () => t.cleanup());

    const cdn = (path: string, headers: Record<string, string> = {}) =>
      t.app.inject({ method: 'GET', url: `/cdn/v1/${t.tenant.slug}${path}`, headers });

    async function entry(slug: string, publish: boolean): Promise<string> {
      const res = await t.call('POST', `${t.tenant.slug}/entries`, {
        body: { type: 'article', fields: { title: `T ${slug}`, slug } },
      });
      const id = res.json<{ id: string }>().id;
      if (publish) assert.equal((await t.call('POST', `${t.tenant.slug}/entries/${id}/publish`)).statusCode, 200);
      return id;
    }

    test('a published entry by id and by slug, without a token, with cache headers and 304', async () => {
      const id = await entry('hello-cdn', true);
      const byId = await cdn(`/entries/${id}`);
      assert.equal(byId.statusCode, 200, byId.body);
      assert.equal(byId.headers['cache-control'], DELIVERY_CACHE_CONTROL);
      assert.equal(byId.headers.etag, `"${id}.2"`);
      assert.equal(byId.headers['surrogate-key'], `tenant-${t.tenant.id} entry-${id} type-article`);
      const body = byId.json<{ id: string; slug: string; fields: { title: string }; tenant: string }>();
      assert.equal(body.slug, 'hello-cdn');
      assert.equal(body.tenant, t.tenant.slug);
      const bySlug = await cdn('/entries/hello-cdn');
      assert.equal(bySlug.json<{ id: string }>().id, id);
      const cached = await cdn(`/entries/${id}`, { 'if-none-match': `"${id}.2"` });
      assert.equal(cached.statusCode, 304);
      assert.equal(cached.headers['surrogate-key'], `tenant-${t.tenant.id} entry-${id} type-article`);
    });

    test('drafts, unpublished entries and unknown tenants answer 404', async () => {
      const draft = await entry('draft-only', false);
      assert.equal((await cdn(`/entries/${draft}`)).statusCode, 404);
      const gone = await entry('gone-soon', true);
      await t.call('POST', `${t.tenant.slug}/entries/${gone}/unpublish`);
      assert.equal((await cdn('/entries/gone-soon')).statusCode, 404);
      const unknown = await t.app.inject({ method: 'GET', url: '/cdn/v1/no-such-tenant/entries' });
      assert.equal(unknown.statusCode, 404);
    });

    test('lists published entries in keyset pages, with a strong ETag and 304', async () => {
      await entry('list-a', true);
      await entry('list-b', true);
      const first = await cdn('/entries?type=article&limit=1');
      assert.equal(first.statusCode, 200, first.body);
      const page = first.json<{ items: { slug: string }[]; next: string | null }>();
      assert.equal(page.items.length, 1);
      assert.ok(page.next);
      assert.equal(first.headers['cache-control'], DELIVERY_CACHE_CONTROL);
      assert.match(String(first.headers['surrogate-key']), new RegExp(`^tenant-${t.tenant.id} type-article entry-`));
      const etag = String(first.headers.etag);
      assert.match(etag, /^"l\./);
      assert.equal((await cdn('/entries?type=article&limit=1', { 'if-none-match': etag })).statusCode, 304);
      const next = await cdn(`/entries?type=article&limit=1&cursor=${encodeURIComponent(page.next)}`);
      assert.equal(next.statusCode, 200);
      assert.notEqual(next.json<{ items: { slug: string }[] }>().items[0]?.slug, page.items[0]?.slug);
    });
    test('search finds published entries only, best first, with snippets, cache headers and 304', async () => {
      const publish = async (id: string) =>
        assert.equal((await t.call('POST', `${t.tenant.slug}/entries/${id}/publish`)).statusCode, 200);
      const create = async (title: string, body: string) => {
        const res = await t.call('POST', `${t.tenant.slug}/entries`, {
          body: { type: 'article', fields: { title, body } },
        });
        assert.equal(res.statusCode, 201, res.body);
        return res.json<{ id: string }>().id;
      };
      const inTitle = await create('Narwhal season', 'notes from the coast');
      const inBody = await create('Coast notes', 'a narwhal was seen near the pier');
      await create('Narwhal draft', 'never published narwhal text');
      const edited = await create('Harbour', 'the harbour at dawn');
      await publish(inTitle);
      await publish(inBody);
      await publish(edited);
      // An unpublished change: its draft text must not be findable or shown…
      const patch = await t.call('PATCH', `${t.tenant.slug}/entries/${edited}`, {
        body: { fields: { title: 'Harbour', body: 'secret narwhal plans' } },
        headers: { 'if-match': `"${edited}.2"` },
      });
      assert.equal(patch.statusCode, 200, patch.body);

      const res = await cdn('/search?q=narwhal');
      assert.equal(res.statusCode, 200, res.body);
      const page = res.json<{
        items: { id: string; snippet: string; score: number; publishedAt: string }[];
        next: null;
      }>();
      assert.deepEqual(
        page.items.map((h) => h.id),
        [inTitle, inBody],
      );
      assert.match(page.items[1]?.snippet ?? '', /<mark>narwhal<\/mark>/i);
      assert.ok(page.items.every((h) => typeof h.publishedAt === 'string'));
      assert.equal(page.next, null);
      assert.equal(res.headers['cache-control'], DELIVERY_CACHE_CONTROL);
      assert.equal(res.headers['surrogate-key'], `tenant-${t.tenant.id} entry-${inTitle} entry-${inBody}`);
      const etag = String(res.headers.etag);
      assert.match(etag, /^"l\./);
      assert.equal((await cdn('/search?q=narwhal', { 'if-none-match': etag })).statusCode, 304);
      assert.equal((await cdn('/search?q=secret')).json<{ items: unknown[] }>().items.length, 0);
      // …while its published text still is, with a snippet of that text.
      const harbour = (await cdn('/search?q=harbour')).json<{ items: { id: string; snippet: string }[] }>().items;
      assert.deepEqual(
        harbour.map((h) => h.id),
        [edited],
      );
      assert.match(harbour[0]?.snippet ?? '', /at dawn/);
      assert.doesNotMatch(JSON.stringify(harbour), /secret/);

      const first = await cdn('/search?q=narwhal&limit=1');
      const one = first.json<{ items: { id: string }[]; next: string | null }>();
      assert.deepEqual(
        one.items.map((h) => h.id),
        [inTitle],
      );
      assert.ok(one.next);
      const second = await cdn(`/search?q=narwhal&limit=1&cursor=${encodeURIComponent(one.next)}`);
      assert.deepEqual(
        second.json<{ items: { id: string }[] }>().items.map((h) => h.id),
        [inBody],
      );
      assert.equal((await cdn('/search?q=narwhal&type=page')).json<{ items: unknown[] }>().items.length, 0);

      // Unpublishing takes the published copy out of the search too.
      assert.equal((await t.call('POST', `${t.tenant.slug}/entries/${edited}/unpublish`)).statusCode, 200);
      assert.equal((await cdn('/search?q=harbour')).json<{ items: unknown[] }>().items.length, 0);
    });

    test('search refuses unsearchable queries and bad cursors, and unknown tenants answer 404', async () => {
      for (const path of ['/search?q=*', '/search?q=narwhal&cursor=nope', '/search?q=narwhal&limit=500', '/search']) {
        const res = await cdn(path);
        assert.equal(res.statusCode, 400, `${path}: ${res.body}`);
        assert.match(String(res.headers['content-type']), /problem\+json/);
      }
      const unknown = await t.app.inject({ method: 'GET', url: '/cdn/v1/no-such-tenant/search?q=narwhal' });
      assert.equal(unknown.statusCode, 404);
    });
  });
}
