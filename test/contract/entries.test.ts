/**
 * Contract: entries, their lifecycle, revisions, search and content types, checked against /openapi.json on
 * every backend (valid requests, requests the schema forbids, and documented refusals).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '../support/backends.ts';
import { operationsOf } from './operations.ts';
import { type ContractSandbox, invalidBodies, openContractSandbox } from './sandbox.ts';

const E = '/api/v1/tenants/{tenant}/entries';

for (const backend of BACKENDS) {
  describe(`contract: entries (${backend})`, () => {
    let s: ContractSandbox;
    before(async () => {
      s = await openContractSandbox(backend);
    });
    after(async () => {
      const missing = s === undefined ? [] : operationsOf('entries').filter((key) => !s.covered.has(key));
      await s?.cleanup();
      assert.deepEqual(missing, [], 'operations assigned to entries.test.ts that no case exercised');
    });

    async function created(title: string): Promise<{ id: string; etag: string }> {
      const res = await s.call(`POST ${E}`, { body: { type: 'article', fields: { title, body: `about ${title}` } } });
      assert.equal(res.statusCode, 201);
      return { id: res.json<{ id: string }>().id, etag: String(res.headers.etag) };
    }

    test('content types: define, list, read; refusals', async () => {
      const def = {
        label: 'Page',
        fields: [
          { name: 'title', kind: 'text', required: true },
          { name: 'body', kind: 'richtext' },
        ],
      };
      const put = await s.call('PUT /api/v1/tenants/{tenant}/content-types/{name}', {
        params: { name: 'page' },
        body: def,
        role: 'admin',
      });
      assert.equal(put.statusCode, 201);
      const again = await s.call('PUT /api/v1/tenants/{tenant}/content-types/{name}', {
        params: { name: 'page' },
        body: { ...def, label: 'Pages' },
        role: 'admin',
      });
      assert.equal(again.statusCode, 200);
      assert.equal(
        (await s.call('PUT /api/v1/tenants/{tenant}/content-types/{name}', { params: { name: 'x' }, body: def }))
          .statusCode,
        403,
      );
      for (const body of invalidBodies(s.doc, 'PUT /api/v1/tenants/{tenant}/content-types/{name}', def)) {
        const res = await s.call('PUT /api/v1/tenants/{tenant}/content-types/{name}', {
          params: { name: 'page' },
          body,
          role: 'admin',
          invalid: true,
        });
        assert.equal(res.statusCode, 400, JSON.stringify(body));
      }
      const list = await s.call('GET /api/v1/tenants/{tenant}/content-types');
      assert.deepEqual(
        list
          .json<{ items: { name: string }[] }>()
          .items.map((t) => t.name)
          .sort(),
        ['article', 'page'],
      );
      assert.equal(
        (await s.call('GET /api/v1/tenants/{tenant}/content-types/{name}', { params: { name: 'page' } })).statusCode,
        200,
      );
      assert.equal(
        (await s.call('GET /api/v1/tenants/{tenant}/content-types/{name}', { params: { name: 'nope' } })).statusCode,
        404,
      );
      assert.equal((await s.call('GET /api/v1/tenants/{tenant}/content-types', { role: null })).statusCode, 401);
    });

    test('entries: create, list, read, patch, delete; refusals', async () => {
      const valid = { type: 'article', fields: { title: 'Contract' } };
      for (const body of invalidBodies(s.doc, `POST ${E}`, valid)) {
        assert.equal((await s.call(`POST ${E}`, { body, invalid: true })).statusCode, 400, JSON.stringify(body));
      }
      assert.equal((await s.call(`POST ${E}`, { body: { type: 'nope', fields: {} } })).statusCode, 400);
      assert.equal((await s.call(`POST ${E}`, { body: { type: 'article', fields: {} } })).statusCode, 400);
      assert.equal((await s.call(`POST ${E}`, { body: valid, role: 'viewer' })).statusCode, 403);
      const a = await created('Alpha');
      await created('Beta');

      const page = await s.call(`GET ${E}`, { query: { limit: 1, type: 'article', estimateCount: true } });
      const next = page.json<{ next: string }>().next;
      assert.equal((await s.call(`GET ${E}`, { query: { limit: 1, cursor: next } })).statusCode, 200);
      assert.equal((await s.call(`GET ${E}`, { query: { limit: 0 }, invalid: true })).statusCode, 400);
      assert.equal((await s.call(`GET ${E}`, { query: { cursor: 'garbage' } })).statusCode, 400);

      const read = await s.call(`GET ${E}/{id}`, { params: { id: a.id } });
      assert.equal(read.statusCode, 200);
      const cached = await s.call(`GET ${E}/{id}`, { params: { id: a.id }, headers: { 'if-none-match': a.etag } });
      assert.equal(cached.statusCode, 304);
      assert.equal((await s.call(`GET ${E}/{id}`, { params: { id: 'missing' } })).statusCode, 404);

      const patchBody = { fields: { title: 'Alpha 2' } };
      assert.equal((await s.call(`PATCH ${E}/{id}`, { params: { id: a.id }, body: patchBody })).statusCode, 428);
      const patched = await s.call(`PATCH ${E}/{id}`, {
        params: { id: a.id },
        body: patchBody,
        headers: { 'if-match': a.etag },
      });
      assert.equal(patched.statusCode, 200);
      const stale = await s.call(`PATCH ${E}/{id}`, {
        params: { id: a.id },
        body: patchBody,
        headers: { 'if-match': a.etag },
      });
      assert.equal(stale.statusCode, 412);
      for (const body of invalidBodies(s.doc, `PATCH ${E}/{id}`, patchBody)) {
        const res = await s.call(`PATCH ${E}/{id}`, {
          params: { id: a.id },
          body,
          headers: { 'if-match': String(patched.headers.etag) },
          invalid: true,
        });
        assert.equal(res.statusCode, 400, JSON.stringify(body));
      }
      const gone = await created('Gone');
      assert.equal(
        (await s.call(`DELETE ${E}/{id}`, { params: { id: gone.id }, headers: { 'if-match': gone.etag } })).statusCode,
        204,
      );
      assert.equal((await s.call(`DELETE ${E}/{id}`, { params: { id: gone.id } })).statusCode, 428);
    });

    test('lifecycle: publish, unpublish, schedule, restore, revisions; search', async () => {
      const e = await created('Lifecycle kestrel');
      const published = await s.call(`POST ${E}/{id}/publish`, { params: { id: e.id } });
      assert.equal(published.statusCode, 200);
      assert.equal((await s.call(`POST ${E}/{id}/publish`, { params: { id: 'missing' } })).statusCode, 404);
      const unpublished = await s.call(`POST ${E}/{id}/unpublish`, { params: { id: e.id } });
      assert.equal(unpublished.statusCode, 200);
      const at = new Date(Date.now() + 86_400_000).toISOString();
      assert.equal((await s.call(`POST ${E}/{id}/schedule`, { params: { id: e.id }, body: { at } })).statusCode, 200);
      assert.equal(
        (await s.call(`POST ${E}/{id}/schedule`, { params: { id: e.id }, body: { at: null } })).statusCode,
        200,
      );
      assert.equal(
        (await s.call(`POST ${E}/{id}/schedule`, { params: { id: e.id }, body: { at: 'soon' }, invalid: true }))
          .statusCode,
        400,
      );
      const revisions = await s.call(`GET ${E}/{id}/revisions`, { params: { id: e.id }, query: { limit: 10 } });
      assert.equal(revisions.statusCode, 200);
      assert.equal(
        (await s.call(`POST ${E}/{id}/restore`, { params: { id: e.id }, body: { revision: 1 } })).statusCode,
        200,
      );
      assert.equal(
        (await s.call(`POST ${E}/{id}/restore`, { params: { id: e.id }, body: { revision: 0 }, invalid: true }))
          .statusCode,
        400,
      );

      const found = await s.call('GET /api/v1/tenants/{tenant}/search', { query: { q: 'kestrel', limit: 5 } });
      assert.equal(found.json<{ items: { id: string }[] }>().items[0]?.id, e.id);
      assert.equal((await s.call('GET /api/v1/tenants/{tenant}/search', { query: { q: '*' } })).statusCode, 400);
      assert.equal(
        (await s.call('GET /api/v1/tenants/{tenant}/search', { query: { limit: 5 }, invalid: true })).statusCode,
        400,
      );
      assert.equal(
        (await s.call('GET /api/v1/tenants/{tenant}/search', { query: { q: 'kestrel' }, role: null })).statusCode,
        401,
      );
    });
  });
}
