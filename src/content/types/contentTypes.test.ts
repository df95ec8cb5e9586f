/** Content types on every backend: definitions, additive vs breaking changes, explicit migrations, validation. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildEntry, buildPrincipal, buildTenant } from '../../../test/factories.ts';
import { BACKENDS, openTestStore, type TestStore } from '../../../test/support/backends.ts';
import type { Principal } from '../../experience/auth/principal.ts';
import { GalleyError } from '../../experience/errors/errors.ts';
import { patchEntry } from '../entries/entryPatcher.ts';
import { getEntry } from '../entries/entryReader.ts';
import { defineContentType } from './contentTypeDefiner.ts';
import { getContentType, listContentTypes } from './contentTypeReader.ts';
import { checkEntryFields } from './fieldValidation.ts';
import type { ContentType, ContentTypeDefinition } from './types.ts';

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<GalleyError> {
  const error = await promise.then(
    () => assert.fail(`expected ${code}`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof GalleyError, String(error));
  assert.equal(error.code, code, error.message);
  return error;
}

const EVENT: ContentTypeDefinition = {
  name: 'event',
  fields: [
    { name: 'name', kind: 'text', required: true, maxLength: 100 },
    { name: 'seats', kind: 'number', integer: true, min: 0 },
    { name: 'online', kind: 'boolean' },
    { name: 'starts', kind: 'date' },
  ],
};

for (const backend of BACKENDS) {
  describe(`content types (${backend})`, () => {
    let t: TestStore;
    let tenantId: string;
    let admin: Principal;
    before(async () => {
      t = await openTestStore(backend);
      tenantId = (await buildTenant(t.store.db)).id;
      admin = buildPrincipal({ tenantId, role: 'admin' });
    });
    after(async () => {
      await t.cleanup();
    });

    const define = (definition: ContentTypeDefinition, migration?: 'explicit') =>
      defineContentType({
        store: t.store,
        actor: admin,
        tenantId,
        definition,
        ...(migration === undefined ? {} : { migration }),
      });

    test('define, read back, list; an identical definition changes nothing', async () => {
      const first = await define(EVENT);
      assert.equal(first.created, true);
      assert.equal(first.contentType.version, 1);
      assert.equal(first.contentType.titleField, 'name');
      const again = await define(EVENT);
      assert.deepEqual([again.created, again.changed, again.contentType.version], [false, false, 1]);
      const read = await getContentType({
        store: t.store,
        actor: buildPrincipal({ tenantId, role: 'viewer' }),
        tenantId,
        name: 'event',
      });
      assert.deepEqual(read.fields, first.contentType.fields);
      const all = await listContentTypes({ store: t.store, actor: admin, tenantId });
      assert.ok(all.some((c) => c.name === 'event'));
      await rejectsWith(getContentType({ store: t.store, actor: admin, tenantId, name: 'nope' }), 'GALLEY_NOT_FOUND');
    });

    test('invalid definitions are refused with pointers to each problem', async () => {
      const error = await rejectsWith(
        define({
          name: 'Bad Name',
          fields: [
            { name: 'a', kind: 'text', min: 3 } as never,
            { name: 'b', kind: 'slug' },
            { name: 'b', kind: 'text' },
            { name: 'c', kind: 'slug' },
            { name: '9x', kind: 'nope' as never },
          ],
        }),
        'GALLEY_CONTENT_TYPE_INVALID',
      );
      const fields = error.errors?.map((e) => e.field) ?? [];
      for (const f of ['/name', '/fields/0/min', '/fields/2/name', '/fields', '/fields/4/name', '/fields/4/kind']) {
        assert.ok(fields.includes(f), `${f} in ${fields.join(', ')}`);
      }
    });

    test('additive changes apply; breaking ones are refused unless explicit', async () => {
      await define(EVENT);
      const relaxed = await define({
        ...EVENT,
        fields: [
          { name: 'name', kind: 'text', required: true, maxLength: 200 },
          { name: 'seats', kind: 'number', min: 0 },
          { name: 'online', kind: 'boolean' },
          { name: 'starts', kind: 'date' },
          { name: 'venue', kind: 'text' },
        ],
      });
      assert.equal(relaxed.changed, true);
      assert.equal(relaxed.contentType.version, 2);
      const refused = await rejectsWith(
        define({
          name: 'event',
          fields: [
            { name: 'name', kind: 'text', required: true, maxLength: 50 },
            { name: 'seats', kind: 'text' },
            { name: 'online', kind: 'boolean', required: true },
            { name: 'city', kind: 'text', required: true },
          ],
        }),
        'GALLEY_CONTENT_TYPE_BREAKING_CHANGE',
      );
      assert.equal(refused.status, 409);
      assert.deepEqual(refused.errors?.map((e) => e.field).sort(), [
        '/fields/city',
        '/fields/name',
        '/fields/online',
        '/fields/seats',
        '/fields/starts',
        '/fields/venue',
      ]);
      assert.equal((await getContentType({ store: t.store, actor: admin, tenantId, name: 'event' })).version, 2);
    });

    test('an explicit migration keeps existing entries readable; removed values stay stored, unvalidated', async () => {
      await define({
        name: 'profile',
        fields: [
          { name: 'name', kind: 'text', required: true },
          { name: 'age', kind: 'number' },
        ],
      });
      const editor = buildPrincipal({ tenantId, role: 'editor' });
      const entry = await buildEntry(t.store, {
        tenantId,
        actor: editor,
        type: 'profile',
        fields: { name: 'Ada', age: 36 },
      });
      const migrated = await define(
        {
          name: 'profile',
          fields: [
            { name: 'name', kind: 'text', required: true },
            { name: 'bio', kind: 'richtext' },
          ],
        },
        'explicit',
      );
      assert.deepEqual(
        migrated.breaking.map((b) => b.field),
        ['/fields/age'],
      );
      const read = await getEntry({ store: t.store, actor: editor, tenantId, id: entry.id });
      assert.deepEqual(read.fields, { age: 36, name: 'Ada' });
      const patched = await patchEntry({
        store: t.store,
        actor: editor,
        tenantId,
        id: entry.id,
        fields: { bio: 'Mathematician' },
        expectedVersion: 1,
      });
      assert.deepEqual(patched.fields, { age: 36, bio: 'Mathematician', name: 'Ada' });
      const error = await rejectsWith(
        patchEntry({ store: t.store, actor: editor, tenantId, id: entry.id, fields: { age: 37 }, expectedVersion: 2 }),
        'GALLEY_VALIDATION_FAILED',
      );
      assert.deepEqual(error.errors, [{ field: '/fields/age', message: 'is not a field of type "profile"' }]);
    });

    test('only owners and admins define types; other tenants see nothing', async () => {
      await rejectsWith(
        defineContentType({
          store: t.store,
          actor: buildPrincipal({ tenantId, role: 'editor' }),
          tenantId,
          definition: EVENT,
        }),
        'GALLEY_FORBIDDEN',
      );
      const stranger = buildPrincipal({ tenantId: 'another-tenant', role: 'owner' });
      await rejectsWith(
        getContentType({ store: t.store, actor: stranger, tenantId, name: 'event' }),
        'GALLEY_NOT_FOUND',
      );
      await rejectsWith(
        defineContentType({ store: t.store, actor: stranger, tenantId, definition: EVENT }),
        'GALLEY_NOT_FOUND',
      );
    });
  });
}

describe('field validation', () => {
  const type: ContentType = {
    tenantId: 't',
    name: 'kitchen',
    label: 'Kitchen sink',
    titleField: 'title',
    version: 1,
    createdAt: '',
    updatedAt: '',
    fields: [
      { name: 'title', kind: 'text', required: true, maxLength: 5 },
      { name: 'n', kind: 'number', min: 1, max: 3, integer: true },
      { name: 'flag', kind: 'boolean' },
      { name: 'day', kind: 'date' },
      { name: 'tags', kind: 'tags', maxItems: 2 },
      { name: 'slug', kind: 'slug' },
      { name: 'ref', kind: 'reference' },
    ],
  };

  test('each kind rejects what it must, naming the field', () => {
    const bad = {
      title: 'too long',
      n: 2.5,
      flag: 'yes',
      day: '2024-02-30',
      tags: ['a', 'b', 'c'],
      slug: 'Bad_Slug',
      ref: 7,
      extra: true,
    };
    try {
      checkEntryFields(type, bad);
      assert.fail('expected a validation error');
    } catch (error) {
      assert.ok(error instanceof GalleyError);
      assert.deepEqual(
        error.errors?.map((e) => e.field).sort(),
        Object.keys(bad)
          .map((k) => `/fields/${k}`)
          .sort(),
      );
    }
  });

  test('valid values pass, come back canonical, and report what changed', () => {
    const ok = checkEntryFields(type, {
      title: 'Hi',
      n: 3,
      flag: false,
      day: '2024-02-29T10:00:00Z',
      tags: ['x', 'y'],
      slug: 'a-b-1',
      ref: 'e1',
    });
    assert.deepEqual(Object.keys(ok.fields), ['day', 'flag', 'n', 'ref', 'slug', 'tags', 'title']);
    assert.deepEqual(ok.references, [{ field: '/fields/ref', id: 'e1', types: undefined }]);
    const patch = checkEntryFields(type, { title: 'Hi', n: null }, ok.fields);
    assert.deepEqual(patch.changed, ['n']);
    assert.deepEqual(patch.cleared, ['n']);
    assert.ok(!('n' in patch.fields));
  });
});
