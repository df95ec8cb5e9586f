/** Contract: the public delivery API (/cdn/v1) against /openapi.json on every backend, without a token. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '../support/backends.ts';
import { operationsOf } from './operations.ts';
import { type ContractSandbox, openContractSandbox } from './sandbox.ts';

for (const backend of BACKENDS) {
  describe(`contract: delivery (${backend})`, () => {
    let s: ContractSandbox;
    before(async () => {
      s = await openContractSandbox(backend);
    });
    after(async () => {
      const missing = s === undefined ? [] : operationsOf('delivery').filter((key) => !s.covered.has(key));
      await s?.cleanup();
      assert.deepEqual(missing, [], 'operations assigned to delivery.test.ts that no case exercised');
    });

    test('one entry, lists and search of published content; 304s and refusals', async () => {
      const ids: string[] = [];
      for (const slug of ['cdn-osprey', 'cdn-heron']) {
        const res = await s.call('POST /api/v1/tenants/{tenant}/entries', {
          body: { type: 'article', fields: { title: `The ${slug} story`, body: 'osprey sightings', slug } },
        });
        const id = res.json<{ id: string }>().id;
        ids.push(id);
        await s.call('POST /api/v1/tenants/{tenant}/entries/{id}/publish', { params: { id } });
      }
      const one = await s.call('GET /cdn/v1/{tenant}/entries/{idOrSlug}', {
        params: { idOrSlug: 'cdn-osprey' },
        role: null,
      });
      assert.equal(one.statusCode, 200);
      const etag = String(one.headers.etag);
      const notModified = await s.call('GET /cdn/v1/{tenant}/entries/{idOrSlug}', {
        params: { idOrSlug: ids[0] ?? '' },
        headers: { 'if-none-match': etag },
        role: null,
      });
      assert.equal(notModified.statusCode, 304);
      assert.equal(
        (await s.call('GET /cdn/v1/{tenant}/entries/{idOrSlug}', { params: { idOrSlug: 'nope' }, role: null }))
          .statusCode,
        404,
      );

      const list = await s.call('GET /cdn/v1/{tenant}/entries', { query: { limit: 1, type: 'article' }, role: null });
      const next = list.json<{ next: string }>().next;
      assert.equal(
        (await s.call('GET /cdn/v1/{tenant}/entries', { query: { cursor: next }, role: null })).statusCode,
        200,
      );
      assert.equal(
        (await s.call('GET /cdn/v1/{tenant}/entries', { query: { limit: 1000 }, role: null, invalid: true }))
          .statusCode,
        400,
      );
      assert.equal(
        (await s.call('GET /cdn/v1/{tenant}/entries', { query: { cursor: 'junk' }, role: null })).statusCode,
        400,
      );

      const found = await s.call('GET /cdn/v1/{tenant}/search', { query: { q: 'osprey', limit: 10 }, role: null });
      assert.equal(found.json<{ items: unknown[] }>().items.length, 2);
      const foundAgain = await s.call('GET /cdn/v1/{tenant}/search', {
        query: { q: 'osprey', limit: 10 },
        headers: { 'if-none-match': String(found.headers.etag) },
        role: null,
      });
      assert.equal(foundAgain.statusCode, 304);
      assert.equal((await s.call('GET /cdn/v1/{tenant}/search', { query: { q: '"' }, role: null })).statusCode, 400);
      assert.equal(
        (await s.call('GET /cdn/v1/{tenant}/search', { query: { limit: 5 }, role: null, invalid: true })).statusCode,
        400,
      );
      assert.equal(
        (
          await s.call('GET /cdn/v1/{tenant}/search', {
            params: { tenant: 'no-such-tenant' },
            query: { q: 'x' },
            role: null,
          })
        ).statusCode,
        404,
      );
    });
  });
}
