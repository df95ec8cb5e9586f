/** Entry lists on every backend: keyset pagination, filters, estimated counts. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildArticleType, buildEntry, buildPrincipal, buildTenant } from '../../../test/factories.ts';
import { BACKENDS, openTestStore, type TestStore } from '../../../test/support/backends.ts';
import type { Principal } from '../../experience/auth/principal.ts';
import { GalleyError } from '../../experience/errors/errors.ts';
import { deleteEntry } from './entryDeleter.ts';
import { listEntries } from './entryLister.ts';
import { patchEntry } from './entryPatcher.ts';
import { publishEntry } from './entryPublisher.ts';
import type { Entry, EntryListFilters } from './types.ts';

for (const backend of BACKENDS) {
  describe(`entry lists (${backend})`, () => {
    let t: TestStore;
    let tenantId: string;
    let editor: Principal;
    let author: Principal;
    before(async () => {
      t = await openTestStore(backend);
      tenantId = (await buildTenant(t.store.db)).id;
      await buildArticleType(t.store, tenantId);
      editor = buildPrincipal({ tenantId, role: 'editor' });
      author = buildPrincipal({ tenantId, role: 'author' });
    });
    after(async () => {
      await t.cleanup();
    });

    async function all(filters: EntryListFilters, limit = 7): Promise<Entry[]> {
      const seen: Entry[] = [];
      let cursor: string | null = null;
      do {
        const page = await listEntries({ store: t.store, actor: editor, tenantId, filters, limit, cursor });
        assert.ok(page.items.length <= limit);
        seen.push(...page.items);
        cursor = page.next;
      } while (cursor !== null);
      return seen;
    }

    test('pages cover every entry exactly once, newest first, while entries are being created', async () => {
      const tenant = (await buildTenant(t.store.db)).id;
      await buildArticleType(t.store, tenant);
      const actor = buildPrincipal({ tenantId: tenant });
      const existing = new Set<string>();
      for (let i = 0; i < 60; i++) existing.add((await buildEntry(t.store, { tenantId: tenant, actor })).id);
      let writing = true;
      const writer = (async () => {
        let n = 0;
        while (writing && n < 200) {
          await buildEntry(t.store, { tenantId: tenant, actor });
          n++;
        }
      })();
      const seen: Entry[] = [];
      let cursor: string | null = null;
      try {
        do {
          const page = await listEntries({ store: t.store, actor, tenantId: tenant, limit: 5, cursor });
          seen.push(...page.items);
          cursor = page.next;
        } while (cursor !== null);
      } finally {
        writing = false;
        await writer;
      }
      const ids = seen.map((e) => e.id);
      assert.equal(new Set(ids).size, ids.length, 'no entry twice');
      for (const id of existing) assert.ok(ids.includes(id), `entry ${id} listed`);
      const keys = seen.map((e) => `${e.updatedAt}|${e.id}`);
      assert.deepEqual(keys, [...keys].sort().reverse(), 'newest first by (updatedAt, id)');
    });

    test('filters: type, status, tag, author, updated range; each page stays within them', async () => {
      const made: Entry[] = [];
      for (let i = 0; i < 12; i++) {
        made.push(
          await buildEntry(t.store, {
            tenantId,
            actor: i % 3 === 0 ? author : editor,
            fields: { title: `F${i}`, tags: i % 2 === 0 ? ['even', 'all'] : ['odd', 'all'] },
          }),
        );
      }
      for (const e of made.slice(0, 4)) await publishEntry({ store: t.store, actor: editor, tenantId, id: e.id });
      const first = made[0];
      assert.ok(first !== undefined);
      await patchEntry({
        store: t.store,
        actor: editor,
        tenantId,
        id: first.id,
        fields: { body: 'x' },
        expectedVersion: 2,
      });
      const ids = (list: Entry[]) => list.map((e) => e.id).sort();
      const mine = new Set(made.map((e) => e.id));
      const even = await all({ tag: 'even' });
      assert.deepEqual(ids(even), ids(made.filter((_, i) => i % 2 === 0)));
      const published = (await all({ status: 'published' })).filter((e) => mine.has(e.id));
      assert.deepEqual(ids(published), ids(made.slice(1, 4)));
      const changed = await all({ status: 'changed', tag: 'all' });
      assert.deepEqual(ids(changed), [first.id]);
      const byAuthor = await all({ authorId: author.subject, type: 'article' });
      assert.deepEqual(ids(byAuthor), ids(made.filter((_, i) => i % 3 === 0)));
      const middle = made[6];
      assert.ok(middle !== undefined);
      const recent = (await all({ updatedFrom: middle.updatedAt, tag: 'odd' })).filter((e) => mine.has(e.id));
      for (const e of recent) assert.ok(e.updatedAt >= middle.updatedAt);
      const older = await all({ updatedTo: middle.updatedAt, status: 'draft' });
      for (const e of older) assert.ok(e.updatedAt < middle.updatedAt && e.status === 'draft');
      await deleteEntry({ store: t.store, actor: editor, tenantId, id: made[2]?.id ?? '', expectedVersion: 2 });
      assert.ok(!(await all({ tag: 'even' })).some((e) => e.id === made[2]?.id));
    });

    test('estimated counts come from statistics, exact for type and status', async () => {
      const tenant = (await buildTenant(t.store.db)).id;
      await buildArticleType(t.store, tenant);
      const actor = buildPrincipal({ tenantId: tenant });
      const entries: Entry[] = [];
      for (let i = 0; i < 10; i++) {
        entries.push(
          await buildEntry(t.store, { tenantId: tenant, actor, fields: { title: `E${i}`, tags: i < 5 ? ['t'] : [] } }),
        );
      }
      for (const e of entries.slice(0, 3)) await publishEntry({ store: t.store, actor, tenantId: tenant, id: e.id });
      await deleteEntry({ store: t.store, actor, tenantId: tenant, id: entries[9]?.id ?? '', expectedVersion: 1 });
      const count = async (filters: EntryListFilters) =>
        (await listEntries({ store: t.store, actor, tenantId: tenant, filters, limit: 1, estimateCount: true }))
          .estimatedCount;
      assert.equal(await count({}), 9);
      assert.equal(await count({ type: 'article' }), 9);
      assert.equal(await count({ type: 'other' }), 0);
      assert.equal(await count({ status: 'published' }), 3);
      assert.equal(await count({ status: 'draft' }), 6);
      assert.equal(await count({ tag: 't' }), 5);
      assert.equal(await count({ tag: 't', status: 'published' }), Math.round((3 * 5) / 9));
      assert.equal(await count({ authorId: actor.subject }), 9);
      const page = await listEntries({ store: t.store, actor, tenantId: tenant });
      assert.equal(page.estimatedCount, undefined, 'only when asked');
    });

    test('bad limits, cursors and filters are validation errors', async () => {
      for (const props of [{ limit: 0 }, { limit: 101 }, { cursor: 'not-a-cursor' }, { filters: { status: 'x' } }]) {
        await assert.rejects(
          listEntries({ store: t.store, actor: editor, tenantId, ...(props as object) }),
          (e: unknown) => e instanceof GalleyError && e.code === 'GALLEY_VALIDATION_FAILED',
        );
      }
    });
  });
}
