/** The sandbox's content seed on every backend. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildPrincipal, buildTenant } from '../../test/factories.ts';
import { BACKENDS, openTestStore, type TestStore } from '../../test/support/backends.ts';
import { seedSandboxContent } from './sandboxContent.ts';
import { getContentType } from './types/contentTypeReader.ts';

for (const backend of BACKENDS) {
  describe(`sandbox content (${backend})`, () => {
    let t: TestStore;
    before(async () => {
      t = await openTestStore(backend);
    });
    after(async () => {
      await t.cleanup();
    });

    test('seeds the article type once (title text required, body richtext, tags, slug)', async () => {
      const tenantId = (await buildTenant(t.store.db)).id;
      await seedSandboxContent(t.store, tenantId);
      await seedSandboxContent(t.store, tenantId);
      const article = await getContentType({
        store: t.store,
        actor: buildPrincipal({ tenantId }),
        tenantId,
        name: 'article',
      });
      assert.equal(article.version, 1, 'seeding again records nothing');
      assert.deepEqual(
        article.fields.map((f) => [f.name, f.kind, f.required === true]),
        [
          ['title', 'text', true],
          ['body', 'richtext', false],
          ['tags', 'tags', false],
          ['slug', 'slug', false],
        ],
      );
      assert.equal(article.titleField, 'title');
    });
  });
}
