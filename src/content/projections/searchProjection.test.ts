/** The search projection on every backend: writes keep the search port in step, inline. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildArticleType, buildEntry, buildPrincipal, buildTenant } from '../../../test/factories.ts';
import { BACKENDS, openTestStore, type TestStore } from '../../../test/support/backends.ts';
import { openSearchIndex } from '../../data/search/openSearch.ts';
import type { SearchIndex } from '../../data/search/port.ts';
import type { Principal } from '../../experience/auth/principal.ts';
import { deleteEntry } from '../entries/entryDeleter.ts';
import { patchEntry } from '../entries/entryPatcher.ts';
import { publishEntry } from '../entries/entryPublisher.ts';

for (const backend of BACKENDS) {
  describe(`search projection (${backend})`, () => {
    let t: TestStore;
    let search: SearchIndex;
    let tenantId: string;
    let editor: Principal;
    before(async () => {
      t = await openTestStore(backend);
      search = openSearchIndex(t.store);
      tenantId = (await buildTenant(t.store.db)).id;
      await buildArticleType(t.store, tenantId);
      editor = buildPrincipal({ tenantId });
    });
    after(async () => {
      await t.cleanup();
    });

    const find = async (q: string, tenant = tenantId) =>
      (await search.query({ tenantId: tenant, q, limit: 10 })).items.map((h) => ({
        id: h.id,
        status: h.status,
        title: h.title,
        snippet: h.snippet,
      }));

    test('finds a created entry, follows edits and status, forgets it once deleted', async () => {
      const entry = await buildEntry(t.store, {
        tenantId,
        actor: editor,
        fields: { title: 'Zeppelin weather report', body: 'Anticyclone over the harbour', tags: ['weather'] },
      });
      const created = await find('anticyclone');
      assert.equal(created.length, 1);
      assert.equal(created[0]?.id, entry.id);
      assert.equal(created[0]?.title, 'Zeppelin weather report');
      assert.match(created[0]?.snippet ?? '', /<mark>Anticyclone<\/mark>/);
      assert.deepEqual(
        (await find('zeppelin')).map((h) => h.id),
        [entry.id],
        'title words are indexed',
      );
      assert.equal((await search.query({ tenantId, q: 'harbour', tag: 'weather', limit: 5 })).items.length, 1);

      await patchEntry({
        store: t.store,
        actor: editor,
        tenantId,
        id: entry.id,
        fields: { body: 'Thunderstorm' },
        expectedVersion: 1,
      });
      assert.deepEqual(await find('anticyclone'), []);
      assert.equal((await find('thunderstorm'))[0]?.status, 'draft');
      await publishEntry({ store: t.store, actor: editor, tenantId, id: entry.id });
      assert.equal((await find('thunderstorm'))[0]?.status, 'published');
      assert.deepEqual(await find('thunderstorm', `${tenantId}-other`), [], 'other tenants never see it');

      await deleteEntry({ store: t.store, actor: editor, tenantId, id: entry.id, expectedVersion: 3 });
      assert.deepEqual(await find('thunderstorm'), []);
      assert.deepEqual(await find('zeppelin'), []);
    });
  });
}
