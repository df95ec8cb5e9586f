/** Entry lifecycle on every backend: publishing, soft delete, slugs, revisions and restore, references, delivery reads. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildArticleType, buildEntry, buildPrincipal, buildTenant } from '../../../test/factories.ts';
import { BACKENDS, openTestStore, type TestStore } from '../../../test/support/backends.ts';
import type { Principal } from '../../experience/auth/principal.ts';
import { GalleyError } from '../../experience/errors/errors.ts';
import { defineContentType } from '../types/contentTypeDefiner.ts';
import { deleteEntry } from './entryDeleter.ts';
import { listEntries } from './entryLister.ts';
import { patchEntry } from './entryPatcher.ts';
import { publishEntry } from './entryPublisher.ts';
import { getEntry, getEntryBySlug } from './entryReader.ts';
import { restoreEntry } from './entryRestorer.ts';
import { unpublishEntry } from './entryUnpublisher.ts';
import { listPublishedEntries } from './publishedEntryLister.ts';
import { getPublishedEntry } from './publishedEntryReader.ts';
import { listRevisions } from './revisionLister.ts';
import { contentDb } from './tables.ts';

/** Asserts a GalleyError with `code`, returning it for further checks. */
async function rejectsWith(promise: Promise<unknown>, code: string): Promise<GalleyError> {
  const error = await promise.then(
    () => assert.fail(`expected ${code}`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof GalleyError, `expected a GalleyError, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  return error;
}

for (const backend of BACKENDS) {
  describe(`entry lifecycle (${backend})`, () => {
    let t: TestStore;
    let tenantId: string;
    let editor: Principal;
    before(async () => {
      t = await openTestStore(backend);
      tenantId = (await buildTenant(t.store.db)).id;
      await buildArticleType(t.store, tenantId);
      editor = buildPrincipal({ tenantId, role: 'editor' });
    });
    after(async () => {
      await t.cleanup();
    });

    test('publish, then edits make it changed; the published copy keeps the published fields; unpublish', async () => {
      const entry = await buildEntry(t.store, { tenantId, actor: editor, fields: { title: 'Pub', slug: 'pub' } });
      const published = await publishEntry({
        store: t.store,
        actor: editor,
        tenantId,
        id: entry.id,
        expectedVersion: 1,
      });
      assert.equal(published.status, 'published');
      assert.equal(published.version, 2);
      assert.equal(published.publishedVersion, 2);
      assert.ok(published.publishedAt !== null);
      const again = await publishEntry({ store: t.store, actor: editor, tenantId, id: entry.id });
      assert.equal(again.version, 2, 'publishing an unchanged published entry records nothing');
      const edited = await patchEntry({
        store: t.store,
        actor: editor,
        tenantId,
        id: entry.id,
        fields: { title: 'Pub (edited)' },
        expectedVersion: 2,
      });
      assert.equal(edited.status, 'changed');
      const copy = await contentDb(t.store.db)
        .selectFrom('published_entries')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', entry.id)
        .executeTakeFirstOrThrow();
      assert.equal(JSON.parse(copy.fields).title, 'Pub');
      assert.equal(copy.version, 2);
      const republished = await publishEntry({ store: t.store, actor: editor, tenantId, id: entry.id });
      assert.equal(republished.status, 'published');
      assert.equal(republished.publishedVersion, 4);
      await rejectsWith(
        unpublishEntry({ store: t.store, actor: editor, tenantId, id: entry.id, expectedVersion: 1 }),
        'GALLEY_ENTRY_VERSION_CONFLICT',
      );
      const draft = await unpublishEntry({ store: t.store, actor: editor, tenantId, id: entry.id });
      assert.equal(draft.status, 'draft');
      assert.equal(draft.publishedAt, null);
      assert.equal(draft.publishedVersion, null);
      const gone = await contentDb(t.store.db)
        .selectFrom('published_entries')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', entry.id)
        .executeTakeFirst();
      assert.equal(gone, undefined);
    });

    test('soft delete hides the entry from reads, lists and slugs, keeps its revisions, frees the slug', async () => {
      const entry = await buildEntry(t.store, {
        tenantId,
        actor: editor,
        fields: { title: 'Doomed', slug: 'doomed', tags: ['doomed-tag'] },
      });
      await publishEntry({ store: t.store, actor: editor, tenantId, id: entry.id });
      await rejectsWith(
        deleteEntry({ store: t.store, actor: editor, tenantId, id: entry.id, expectedVersion: 1 }),
        'GALLEY_ENTRY_VERSION_CONFLICT',
      );
      const deleted = await deleteEntry({ store: t.store, actor: editor, tenantId, id: entry.id, expectedVersion: 2 });
      assert.equal(deleted.version, 3);
      await rejectsWith(getEntry({ store: t.store, actor: editor, tenantId, id: entry.id }), 'GALLEY_NOT_FOUND');
      await rejectsWith(
        getEntryBySlug({ store: t.store, actor: editor, tenantId, slug: 'doomed' }),
        'GALLEY_NOT_FOUND',
      );
      await rejectsWith(
        patchEntry({
          store: t.store,
          actor: editor,
          tenantId,
          id: entry.id,
          fields: { body: 'x' },
          expectedVersion: 3,
        }),
        'GALLEY_NOT_FOUND',
      );
      const listed = await listEntries({ store: t.store, actor: editor, tenantId, limit: 100 });
      assert.ok(!listed.items.some((e) => e.id === entry.id));
      const byTag = await listEntries({ store: t.store, actor: editor, tenantId, filters: { tag: 'doomed-tag' } });
      assert.deepEqual(byTag.items, []);
      const revisions = await contentDb(t.store.db)
        .selectFrom('entry_revisions')
        .select(['version', 'event'])
        .where('tenant_id', '=', tenantId)
        .where('entry_id', '=', entry.id)
        .orderBy('version')
        .execute();
      assert.deepEqual(
        revisions.map((r) => r.event),
        ['entry.created', 'entry.published', 'entry.deleted'],
      );
      const reuse = await buildEntry(t.store, { tenantId, actor: editor, fields: { title: 'Reuse', slug: 'doomed' } });
      assert.equal(reuse.slug, 'doomed');
    });

    test('slugs are unique per type among live entries', async () => {
      await buildEntry(t.store, { tenantId, actor: editor, fields: { title: 'A', slug: 'same' } });
      const taken = await rejectsWith(
        buildEntry(t.store, { tenantId, actor: editor, fields: { title: 'B', slug: 'same' } }),
        'GALLEY_ENTRY_SLUG_TAKEN',
      );
      assert.equal(taken.errors?.[0]?.field, '/fields/slug');
      const other = await buildEntry(t.store, { tenantId, actor: editor, fields: { title: 'C' } });
      await rejectsWith(
        patchEntry({
          store: t.store,
          actor: editor,
          tenantId,
          id: other.id,
          fields: { slug: 'same' },
          expectedVersion: 1,
        }),
        'GALLEY_ENTRY_SLUG_TAKEN',
      );
    });

    test('revisions list newest first with a cursor; restore revision N as a new version', async () => {
      const entry = await buildEntry(t.store, { tenantId, actor: editor, fields: { title: 'r1', body: 'one' } });
      let version = 1;
      for (const body of ['two', 'three', 'four']) {
        version = (
          await patchEntry({
            store: t.store,
            actor: editor,
            tenantId,
            id: entry.id,
            fields: { body },
            expectedVersion: version,
          })
        ).version;
      }
      const first = await listRevisions({ store: t.store, actor: editor, tenantId, id: entry.id, limit: 3 });
      assert.deepEqual(
        first.items.map((r) => [r.version, r.fields.body]),
        [
          [4, 'four'],
          [3, 'three'],
          [2, 'two'],
        ],
      );
      assert.deepEqual(first.items[0]?.changed, ['body']);
      assert.ok(first.next !== null);
      const rest = await listRevisions({ store: t.store, actor: editor, tenantId, id: entry.id, cursor: first.next });
      assert.deepEqual(
        rest.items.map((r) => r.version),
        [1],
      );
      assert.equal(rest.next, null);
      const restored = await restoreEntry({
        store: t.store,
        actor: editor,
        tenantId,
        id: entry.id,
        revision: 2,
        expectedVersion: 4,
      });
      assert.equal(restored.version, 5);
      assert.deepEqual(restored.fields, { body: 'two', title: 'r1' });
      const latest = await listRevisions({ store: t.store, actor: editor, tenantId, id: entry.id, limit: 1 });
      assert.equal(latest.items[0]?.event, 'entry.restored');
      await rejectsWith(
        restoreEntry({ store: t.store, actor: editor, tenantId, id: entry.id, revision: 99 }),
        'GALLEY_NOT_FOUND',
      );
    });

    test('references must name a live entry of the tenant, of an allowed type', async () => {
      await defineContentType({
        store: t.store,
        actor: buildPrincipal({ tenantId, role: 'admin' }),
        tenantId,
        definition: {
          name: 'note',
          fields: [
            { name: 'text', kind: 'text', required: true },
            { name: 'about', kind: 'reference', referenceTypes: ['article'] },
          ],
        },
      });
      const article = await buildEntry(t.store, { tenantId, actor: editor });
      const note = await buildEntry(t.store, {
        tenantId,
        actor: editor,
        type: 'note',
        fields: { text: 'hi', about: article.id },
      });
      assert.equal(note.fields.about, article.id);
      const missing = await rejectsWith(
        buildEntry(t.store, { tenantId, actor: editor, type: 'note', fields: { text: 'x', about: 'nope' } }),
        'GALLEY_VALIDATION_FAILED',
      );
      assert.equal(missing.errors?.[0]?.field, '/fields/about');
      const wrongType = await rejectsWith(
        buildEntry(t.store, { tenantId, actor: editor, type: 'note', fields: { text: 'x', about: note.id } }),
        'GALLEY_VALIDATION_FAILED',
      );
      assert.match(wrongType.errors?.[0]?.message ?? '', /article/);
    });

    test('delivery reads: published copies by id or slug, newest published first; drafts stay invisible', async () => {
      const tenant = (await buildTenant(t.store.db)).id;
      await buildArticleType(t.store, tenant);
      const actor = buildPrincipal({ tenantId: tenant });
      const published: string[] = [];
      for (let i = 0; i < 5; i++) {
        const e = await buildEntry(t.store, { tenantId: tenant, actor, fields: { title: `D${i}`, slug: `d-${i}` } });
        if (i !== 2) {
          await publishEntry({ store: t.store, actor, tenantId: tenant, id: e.id });
          published.push(e.id);
        }
      }
      const bySlug = await getPublishedEntry({ store: t.store, tenantId: tenant, idOrSlug: 'd-1' });
      assert.equal(bySlug.fields.title, 'D1');
      assert.equal((await getPublishedEntry({ store: t.store, tenantId: tenant, idOrSlug: bySlug.id })).slug, 'd-1');
      await rejectsWith(getPublishedEntry({ store: t.store, tenantId: tenant, idOrSlug: 'd-2' }), 'GALLEY_NOT_FOUND');
      await rejectsWith(getPublishedEntry({ store: t.store, tenantId, idOrSlug: 'd-1' }), 'GALLEY_NOT_FOUND');
      const first = await listPublishedEntries({ store: t.store, tenantId: tenant, limit: 3 });
      const rest = await listPublishedEntries({
        store: t.store,
        tenantId: tenant,
        type: 'article',
        cursor: first.next,
      });
      assert.deepEqual(
        [...first.items, ...rest.items].map((e) => e.id),
        [...published].reverse(),
      );
      assert.equal(rest.next, null);
    });
  });
}
