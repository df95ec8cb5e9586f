/**
 * The management API of entries, search and content types over HTTP on every backend: the API contract
 * (paths, shapes, ETags, If-Match/If-None-Match), problem+json errors and keyset pages.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '../../../../test/support/backends.ts';
import { type ContentApiBench, openContentApiBench } from './testing.ts';

interface EntryBody {
  readonly id: string;
  readonly tenant: string;
  readonly type: string;
  readonly fields: Record<string, unknown>;
  readonly status: string;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly publishedAt: string | null;
}

for (const backend of BACKENDS) {
  describe(`entry routes (${backend})`, () => {
    let t: ContentApiBench;
    let slug: string;
    before(async () => {
      t = await openContentApiBench(backend);
      slug = t.tenant.slug;
    });
    after(async () => t.cleanup());

    async function create(title: string, extra: Record<string, unknown> = {}): Promise<EntryBody> {
      const res = await t.call('POST', `${slug}/entries`, {
        body: { type: 'article', fields: { title, body: `Body of ${title}`, tags: ['news'], ...extra } },
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json<EntryBody>();
    }

    test('create answers 201 with the entry JSON, its ETag and Location; GET reads it back; 304 on If-None-Match', async () => {
      const res = await t.call('POST', `${slug}/entries`, {
        body: { type: 'article', fields: { title: 'Hello', body: 'World', tags: [] } },
      });
      assert.equal(res.statusCode, 201, res.body);
      const entry = res.json<EntryBody>();
      assert.equal(entry.tenant, slug);
      assert.equal(entry.type, 'article');
      assert.equal(entry.status, 'draft');
      assert.equal(entry.version, 1);
      assert.equal(entry.publishedAt, null);
      assert.deepEqual(entry.fields.title, 'Hello');
      for (const key of ['id', 'createdAt', 'updatedAt']) assert.ok(key in entry, key);
      assert.equal(res.headers.etag, `"${entry.id}.1"`);
      assert.equal(res.headers.location, `/api/v1/tenants/${slug}/entries/${entry.id}`);

      const read = await t.call('GET', `${slug}/entries/${entry.id}`, { role: 'viewer' });
      assert.equal(read.statusCode, 200);
      assert.equal(read.headers.etag, `"${entry.id}.1"`);
      assert.deepEqual(read.json<EntryBody>(), entry);
      const cached = await t.call('GET', `${slug}/entries/${entry.id}`, {
        headers: { 'if-none-match': `"${entry.id}.1"` },
      });
      assert.equal(cached.statusCode, 304);
      assert.equal(cached.body, '');
      const stale = await t.call('GET', `${slug}/entries/${entry.id}`, {
        headers: { 'if-none-match': `"${entry.id}.0"` },
      });
      assert.equal(stale.statusCode, 200);
    });

    test('invalid fields answer 400 problem+json naming the field', async () => {
      const res = await t.call('POST', `${slug}/entries`, { body: { type: 'article', fields: { body: 'no title' } } });
      assert.equal(res.statusCode, 400);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(res.json<{ code: string }>().code, 'GALLEY_VALIDATION_FAILED');
    });

    test('PATCH needs If-Match: 428 without, 412 with the current version when stale, 200 + new ETag when current', async () => {
      const entry = await create('Patch me');
      const path = `${slug}/entries/${entry.id}`;
      const missing = await t.call('PATCH', path, { body: { fields: { title: 'x' } } });
      assert.equal(missing.statusCode, 428);
      assert.equal(missing.json<{ code: string }>().code, 'GALLEY_PRECONDITION_REQUIRED');

      const ok = await t.call('PATCH', path, {
        body: { fields: { title: 'Patched' } },
        headers: { 'if-match': `"${entry.id}.1"` },
      });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.headers.etag, `"${entry.id}.2"`);
      assert.equal(ok.json<EntryBody>().fields.title, 'Patched');
      assert.equal(ok.json<EntryBody>().fields.body, 'Body of Patch me');

      const stale = await t.call('PATCH', path, {
        body: { fields: { title: 'Lost' } },
        headers: { 'if-match': `"${entry.id}.1"` },
      });
      assert.equal(stale.statusCode, 412);
      const problem = stale.json<{ code: string; currentVersion: number; currentEtag: string }>();
      assert.equal(problem.code, 'GALLEY_ENTRY_VERSION_CONFLICT');
      assert.equal(problem.currentVersion, 2);
      assert.equal(problem.currentEtag, `"${entry.id}.2"`);

      const foreign = await t.call('PATCH', path, {
        body: { fields: { title: 'x' } },
        headers: { 'if-match': '"other.2"' },
      });
      assert.equal(foreign.statusCode, 412);
      assert.equal(foreign.json<{ currentVersion: number }>().currentVersion, 2);
    });

    test('publish, unpublish and revisions; DELETE needs If-Match, then 404', async () => {
      const entry = await create('Lifecycle');
      const path = `${slug}/entries/${entry.id}`;
      const published = await t.call('POST', `${path}/publish`);
      assert.equal(published.statusCode, 200, published.body);
      assert.equal(published.json<EntryBody>().status, 'published');
      assert.equal(published.headers.etag, `"${entry.id}.2"`);
      assert.ok(published.json<EntryBody>().publishedAt);
      const unpublished = await t.call('POST', `${path}/unpublish`, { headers: { 'if-match': `"${entry.id}.2"` } });
      assert.equal(unpublished.statusCode, 200);
      assert.equal(unpublished.json<EntryBody>().status, 'draft');

      const revisions = await t.call('GET', `${path}/revisions?limit=2`);
      assert.equal(revisions.statusCode, 200);
      const page = revisions.json<{ items: { version: number; event: string }[]; next: string | null }>();
      assert.deepEqual(
        page.items.map((r) => r.event),
        ['entry.unpublished', 'entry.published'],
      );
      assert.ok(page.next);
      const rest = await t.call('GET', `${path}/revisions?limit=2&cursor=${encodeURIComponent(page.next)}`);
      assert.deepEqual(
        rest.json<{ items: { event: string }[] }>().items.map((r) => r.event),
        ['entry.created'],
      );

      assert.equal((await t.call('DELETE', path)).statusCode, 428);
      assert.equal((await t.call('DELETE', path, { headers: { 'if-match': `"${entry.id}.1"` } })).statusCode, 412);
      const deleted = await t.call('DELETE', path, { headers: { 'if-match': `"${entry.id}.3"` } });
      assert.equal(deleted.statusCode, 204);
      assert.equal((await t.call('GET', path)).statusCode, 404);
    });

    test('list: newest first, keyset pages with an opaque cursor, filters', async () => {
      const a = await create('List A', { tags: ['alpha'] });
      const b = await create('List B', { tags: ['alpha'] });
      const c = await create('List C', { tags: ['alpha'] });
      const first = await t.call('GET', `${slug}/entries?limit=2&tag=alpha`);
      assert.equal(first.statusCode, 200, first.body);
      const page = first.json<{ items: EntryBody[]; next: string | null }>();
      assert.deepEqual(
        page.items.map((e) => e.id),
        [c.id, b.id],
      );
      assert.ok(page.next);
      const second = await t.call('GET', `${slug}/entries?limit=2&tag=alpha&cursor=${encodeURIComponent(page.next)}`);
      const rest = second.json<{ items: EntryBody[]; next: string | null }>();
      assert.deepEqual(
        rest.items.map((e) => e.id),
        [a.id],
      );
      assert.equal(rest.next, null);
      const drafts = await t.call('GET', `${slug}/entries?status=published&tag=alpha`);
      assert.deepEqual(drafts.json<{ items: EntryBody[] }>().items, []);
      const byAuthor = await t.call('GET', `${slug}/entries?author=nobody`);
      assert.deepEqual(byAuthor.json<{ items: EntryBody[] }>().items, []);
      const bad = await t.call('GET', `${slug}/entries?cursor=garbage`);
      assert.equal(bad.statusCode, 400);
    });

    test('search: the tenant only, drafts and published, with snippets', async () => {
      const entry = await create('Zanzibar travel notes', { body: 'Spice markets of Zanzibar' });
      await t.call('POST', `${t.other.slug}/entries`, {
        tenantId: t.other.id,
        body: { type: 'article', fields: { title: 'Zanzibar elsewhere', body: 'Zanzibar' } },
      });
      const res = await t.call('GET', `${slug}/search?q=zanzibar&limit=20`, { role: 'viewer' });
      assert.equal(res.statusCode, 200, res.body);
      const page = res.json<{ items: { id: string; title: string; snippet: string }[]; next: string | null }>();
      assert.deepEqual(
        page.items.map((h) => h.id),
        [entry.id],
      );
      assert.equal(page.items[0]?.title, 'Zanzibar travel notes');
      assert.match(page.items[0]?.snippet ?? '', /<mark>/);
      assert.equal(page.next, null);
    });

    test('content types: list, read, define (admin only), breaking change refused', async () => {
      const list = await t.call('GET', `${slug}/content-types`, { role: 'viewer' });
      assert.equal(list.statusCode, 200);
      assert.deepEqual(
        list.json<{ items: { name: string }[] }>().items.map((x) => x.name),
        ['article'],
      );
      const one = await t.call('GET', `${slug}/content-types/article`);
      assert.equal(one.json<{ titleField: string }>().titleField, 'title');
      const definition = { fields: [{ name: 'name', kind: 'text', required: true }] };
      assert.equal((await t.call('PUT', `${slug}/content-types/author`, { body: definition })).statusCode, 403);
      const created = await t.call('PUT', `${slug}/content-types/author`, { role: 'admin', body: definition });
      assert.equal(created.statusCode, 201, created.body);
      const same = await t.call('PUT', `${slug}/content-types/author`, { role: 'admin', body: definition });
      assert.equal(same.statusCode, 200);
      const breaking = await t.call('PUT', `${slug}/content-types/author`, {
        role: 'admin',
        body: { fields: [...definition.fields, { name: 'born', kind: 'date', required: true }] },
      });
      assert.equal(breaking.statusCode, 409);
      assert.equal((await t.call('GET', `${slug}/content-types/nope`)).statusCode, 404);
    });

    test('no token 401, token without the api scope 403, other tenant 404', async () => {
      assert.equal((await t.call('GET', `${slug}/entries`, { bearer: null })).statusCode, 401);
      assert.equal((await t.call('GET', `${slug}/entries`, { scope: 'openid' })).statusCode, 403);
      const foreign = await t.call('GET', `${slug}/entries`, { tenantId: t.other.id, role: 'owner' });
      assert.equal(foreign.statusCode, 404);
      assert.equal((await t.call('GET', 'no-such-tenant/entries')).statusCode, 404);
    });
  });
}
