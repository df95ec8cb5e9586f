/**
 * Idempotency-Key on the content API, on every backend: a replay returns the stored answer and applies nothing
 * twice; a reused key with another request is refused; concurrent duplicates run once; keys are per caller.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '../../../test/support/backends.ts';
import { type ContentApiBench, openContentApiBench } from '../api/entries/testing.ts';

interface EntryBody {
  readonly id: string;
  readonly version: number;
  readonly status: string;
}

for (const backend of BACKENDS) {
  describe(`idempotency keys (${backend})`, () => {
    let t: ContentApiBench;
    let slug: string;
    before(async () => {
      t = await openContentApiBench(backend);
      slug = t.tenant.slug;
    });
    after(async () => t.cleanup());

    const article = (title: string) => ({ type: 'article', fields: { title, tags: [] } });
    const countTitled = async (title: string) => {
      const res = await t.call('GET', `${slug}/entries?limit=100`);
      const items = res.json<{ items: { fields: { title?: string } }[] }>().items;
      return items.filter((e) => e.fields.title === title).length;
    };

    test('a replayed create returns the original 201 (same id, ETag, Location) and creates one entry', async () => {
      const headers = { 'idempotency-key': 'create-1' };
      const first = await t.call('POST', `${slug}/entries`, { body: article('Once'), headers });
      assert.equal(first.statusCode, 201, first.body);
      const again = await t.call('POST', `${slug}/entries`, { body: article('Once'), headers });
      assert.equal(again.statusCode, 201);
      assert.equal(again.headers['idempotent-replayed'], 'true');
      assert.equal(again.body, first.body);
      assert.equal(again.headers.etag, first.headers.etag);
      assert.equal(again.headers.location, first.headers.location);
      assert.match(String(again.headers['content-type']), /^application\/json/);
      assert.equal(await countTitled('Once'), 1);
    });

    test('the same key with a different body answers 422; another caller or route has its own key space', async () => {
      const headers = { 'idempotency-key': 'create-2' };
      assert.equal((await t.call('POST', `${slug}/entries`, { body: article('Two'), headers })).statusCode, 201);
      const reused = await t.call('POST', `${slug}/entries`, { body: article('Other'), headers });
      assert.equal(reused.statusCode, 422);
      assert.equal(reused.json<{ code: string }>().code, 'GALLEY_IDEMPOTENCY_KEY_REUSED');
      const otherCaller = await t.call('POST', `${slug}/entries`, { body: article('Two'), headers, subject: 'user-b' });
      assert.equal(otherCaller.statusCode, 201);
      assert.equal(otherCaller.headers['idempotent-replayed'], undefined);
      assert.equal(await countTitled('Two'), 2);
    });

    test('PATCH and publish replays apply once; a stored 412 replays as 412', async () => {
      const created = (await t.call('POST', `${slug}/entries`, { body: article('Patch') })).json<EntryBody>();
      const path = `${slug}/entries/${created.id}`;
      const headers = { 'idempotency-key': 'patch-1', 'if-match': `"${created.id}.1"` };
      const first = await t.call('PATCH', path, { body: { fields: { title: 'Patched once' } }, headers });
      assert.equal(first.statusCode, 200, first.body);
      const again = await t.call('PATCH', path, { body: { fields: { title: 'Patched once' } }, headers });
      assert.equal(again.statusCode, 200);
      assert.equal(again.headers.etag, `"${created.id}.2"`);
      assert.equal(again.headers['idempotent-replayed'], 'true');

      const publish = { 'idempotency-key': 'publish-1' };
      const p1 = await t.call('POST', `${path}/publish`, { headers: publish });
      const p2 = await t.call('POST', `${path}/publish`, { headers: publish });
      assert.equal(p1.statusCode, 200);
      assert.equal(p2.body, p1.body);
      assert.equal(p2.json<EntryBody>().version, 3);
      const current = await t.call('GET', path);
      assert.equal(current.json<EntryBody>().version, 3);

      const staleHeaders = { 'idempotency-key': 'patch-stale', 'if-match': `"${created.id}.1"` };
      const stale = await t.call('PATCH', path, { body: { fields: { title: 'x' } }, headers: staleHeaders });
      assert.equal(stale.statusCode, 412);
      const staleAgain = await t.call('PATCH', path, { body: { fields: { title: 'x' } }, headers: staleHeaders });
      assert.equal(staleAgain.statusCode, 412);
      assert.equal(staleAgain.json<{ currentVersion: number }>().currentVersion, 3);
    });

    test('concurrent duplicates run once: every answer is the first one, or 409 in progress', async () => {
      const headers = { 'idempotency-key': 'concurrent-1' };
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => t.call('POST', `${slug}/entries`, { body: article('Concurrent'), headers })),
      );
      const created = answers.filter((a) => a.statusCode === 201);
      assert.ok(created.length >= 1);
      assert.equal(new Set(created.map((a) => a.body)).size, 1);
      for (const a of answers) assert.ok(a.statusCode === 201 || a.statusCode === 409, String(a.statusCode));
      assert.equal(await countTitled('Concurrent'), 1);
    });

    test('a malformed key is refused with 400', async () => {
      const res = await t.call('POST', `${slug}/entries`, {
        body: article('Bad key'),
        headers: { 'idempotency-key': 'x'.repeat(300) },
      });
      assert.equal(res.statusCode, 400);
    });
  });
}
