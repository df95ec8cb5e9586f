/** Entry use cases on every backend: creation, validation, versions and conflicts, events. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { buildArticleType, buildEntry, buildPrincipal, buildTenant } from '../../../test/factories.ts';
import { BACKENDS, openTestStore, type TestStore } from '../../../test/support/backends.ts';
import type { Principal } from '../../experience/auth/principal.ts';
import { GalleyError } from '../../experience/errors/errors.ts';
import { presentEntry } from '../presenters/entryPresenter.ts';
import { contentHash } from './canonical.ts';
import { createEntry } from './entryCreator.ts';
import { patchEntry } from './entryPatcher.ts';
import { getEntry, getEntryBySlug } from './entryReader.ts';
import { listRevisions } from './revisionLister.ts';
import { entryEtag, versionFromEtag } from './types.ts';

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
  describe(`entries (${backend})`, () => {
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

    test('create → draft v1 with a strong ETag, canonical fields and content hash; read by id and slug', async () => {
      const entry = await buildEntry(t.store, {
        tenantId,
        actor: editor,
        fields: { title: 'Hello', tags: ['news'], body: 'Body *md*', slug: 'hello' },
      });
      assert.equal(entry.status, 'draft');
      assert.equal(entry.version, 1);
      assert.equal(entry.authorId, editor.subject);
      assert.deepEqual(Object.keys(entry.fields), ['body', 'slug', 'tags', 'title']);
      assert.equal(entry.contentHash, contentHash(entry.fields));
      assert.equal(entryEtag(entry), `"${entry.id}.1"`);
      assert.equal(versionFromEtag(entryEtag(entry), entry.id), 1);
      assert.equal(versionFromEtag(`W/"${entry.id}.1"`, entry.id), undefined);
      assert.deepEqual(await getEntry({ store: t.store, actor: editor, tenantId, id: entry.id }), entry);
      assert.equal((await getEntryBySlug({ store: t.store, actor: editor, tenantId, slug: 'hello' })).id, entry.id);
      const json = presentEntry(entry, 'acme');
      assert.deepEqual(Object.keys(json).slice(0, 9), [
        'id',
        'tenant',
        'type',
        'fields',
        'status',
        'version',
        'createdAt',
        'updatedAt',
        'publishedAt',
      ]);
      assert.equal(json.tenant, 'acme');
      assert.equal(json.publishedAt, null);
    });

    test('unknown fields are rejected and every validation error names its field', async () => {
      const error = await rejectsWith(
        createEntry({
          store: t.store,
          actor: editor,
          tenantId,
          type: 'article',
          fields: { title: 42, extra: 'x', tags: ['a', 'a'], slug: 'Not A Slug' },
        }),
        'GALLEY_VALIDATION_FAILED',
      );
      assert.deepEqual(
        error.errors?.map((e) => e.field).sort(),
        ['/fields/extra', '/fields/slug', '/fields/tags', '/fields/title'].sort(),
      );
      const missing = await rejectsWith(
        createEntry({ store: t.store, actor: editor, tenantId, type: 'article', fields: { body: 'no title' } }),
        'GALLEY_VALIDATION_FAILED',
      );
      assert.deepEqual(missing.errors, [{ field: '/fields/title', message: 'is required' }]);
      const unknownType = await rejectsWith(
        createEntry({ store: t.store, actor: editor, tenantId, type: 'nope', fields: {} }),
        'GALLEY_VALIDATION_FAILED',
      );
      assert.equal(unknownType.errors?.[0]?.field, '/type');
      const entry = await buildEntry(t.store, { tenantId, actor: editor });
      const patch = await rejectsWith(
        patchEntry({
          store: t.store,
          actor: editor,
          tenantId,
          id: entry.id,
          fields: { title: null, ghost: 1 },
          expectedVersion: 1,
        }),
        'GALLEY_VALIDATION_FAILED',
      );
      assert.deepEqual(patch.errors?.map((e) => e.field).sort(), ['/fields/ghost', '/fields/title']);
    });

    test('patch needs the current version: a stale one is 412 with the current version', async () => {
      const entry = await buildEntry(t.store, { tenantId, actor: editor, fields: { title: 'v1' } });
      const v2 = await patchEntry({
        store: t.store,
        actor: editor,
        tenantId,
        id: entry.id,
        fields: { body: 'more' },
        expectedVersion: 1,
      });
      assert.equal(v2.version, 2);
      assert.deepEqual(v2.fields, { body: 'more', title: 'v1' });
      const stale = await rejectsWith(
        patchEntry({
          store: t.store,
          actor: editor,
          tenantId,
          id: entry.id,
          fields: { body: 'lost' },
          expectedVersion: 1,
        }),
        'GALLEY_ENTRY_VERSION_CONFLICT',
      );
      assert.equal(stale.status, 412);
      assert.equal(stale.extensions?.currentVersion, 2);
      assert.equal(stale.extensions?.currentEtag, `"${entry.id}.2"`);
      // An unchanged patch records nothing.
      const same = await patchEntry({
        store: t.store,
        actor: editor,
        tenantId,
        id: entry.id,
        fields: { body: 'more' },
        expectedVersion: 2,
      });
      assert.equal(same.version, 2);
      // null clears an optional field.
      const cleared = await patchEntry({
        store: t.store,
        actor: editor,
        tenantId,
        id: entry.id,
        fields: { body: null },
        expectedVersion: 2,
      });
      assert.deepEqual(cleared.fields, { title: 'v1' });
    });

    test('concurrent patches from the same version: exactly one wins', async () => {
      const entry = await buildEntry(t.store, { tenantId, actor: editor });
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          patchEntry({
            store: t.store,
            actor: editor,
            tenantId,
            id: entry.id,
            fields: { body: `writer ${i}` },
            expectedVersion: 1,
          }),
        ),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      assert.equal(won.length, 1);
      for (const r of results) {
        if (r.status === 'rejected') assert.equal((r.reason as GalleyError).code, 'GALLEY_ENTRY_VERSION_CONFLICT');
      }
      const revisions = await listRevisions({ store: t.store, actor: editor, tenantId, id: entry.id });
      assert.deepEqual(
        revisions.items.map((r) => r.version),
        [2, 1],
      );
    });

    test('each write is one event plus its read-model rows, all in one transaction', async () => {
      const entry = await buildEntry(t.store, { tenantId, actor: editor, fields: { title: 'Evented', tags: ['x'] } });
      const events = await sql<{ name: string; data: string }>`select name, data from events
        where tenant_id = ${tenantId} and subject_id = ${entry.id} order by seq`.execute(t.store.db);
      assert.deepEqual(
        events.rows.map((e) => e.name),
        ['entry.created'],
      );
      const data = JSON.parse(events.rows[0]?.data ?? '{}');
      assert.equal(data.actor, `user:${editor.subject}`);
      assert.equal(data.entry, entry.id);
      assert.equal(data.version, 1);
      assert.equal(data.hash, entry.contentHash);
      assert.deepEqual(data.changed, ['tags', 'title']);
    });
  });
}
