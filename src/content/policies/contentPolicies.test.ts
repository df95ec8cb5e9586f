/**
 * The content policy matrix: every action × role × own/other entry × same/other tenant, first as the pure rule
 * (`can`), then through the use cases on every backend (the outcome a caller sees: success, 403 or 404).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildArticleType, buildEntry, buildPrincipal, buildQueue, buildTenant } from '../../../test/factories.ts';
import { BACKENDS, openTestStore, type TestStore } from '../../../test/support/backends.ts';
import type { Queue } from '../../data/queue/port.ts';
import { MEMBER_ROLES, type MemberRole } from '../../data/store/schema.ts';
import type { Principal } from '../../experience/auth/principal.ts';
import { GalleyError } from '../../experience/errors/errors.ts';
import { createEntry } from '../entries/entryCreator.ts';
import { deleteEntry } from '../entries/entryDeleter.ts';
import { listEntries } from '../entries/entryLister.ts';
import { patchEntry } from '../entries/entryPatcher.ts';
import { publishEntry } from '../entries/entryPublisher.ts';
import { schedulePublish } from '../entries/entryPublishScheduler.ts';
import { getEntry } from '../entries/entryReader.ts';
import { restoreEntry } from '../entries/entryRestorer.ts';
import { unpublishEntry } from '../entries/entryUnpublisher.ts';
import { listRevisions } from '../entries/revisionLister.ts';
import type { Entry } from '../entries/types.ts';
import { defineContentType } from '../types/contentTypeDefiner.ts';
import { getContentType } from '../types/contentTypeReader.ts';
import { CONTENT_ACTIONS, type ContentAction, can } from './contentPolicies.ts';

const EDITORS: readonly MemberRole[] = ['owner', 'admin', 'editor'];

/** The expected matrix, written out independently of the implementation. */
function expected(action: ContentAction, role: MemberRole, own: boolean): boolean {
  switch (action) {
    case 'entry.read':
    case 'entry.list':
    case 'entry.revisions':
    case 'contentType.read':
      return true;
    case 'entry.create':
      return role !== 'viewer';
    case 'entry.update':
    case 'entry.delete':
    case 'entry.restore':
      return EDITORS.includes(role) || (role === 'author' && own);
    case 'entry.publish':
    case 'entry.unpublish':
    case 'entry.schedule':
      return EDITORS.includes(role);
    case 'contentType.define':
      return role === 'owner' || role === 'admin';
  }
}

describe('content policy rules', () => {
  test('can() matches the matrix for every action, role, ownership and principal kind; other tenants never', () => {
    for (const action of CONTENT_ACTIONS) {
      for (const role of MEMBER_ROLES) {
        for (const kind of ['user', 'service'] as const) {
          for (const own of [true, false]) {
            const p = buildPrincipal({ tenantId: 'T', role, kind, subject: 'me' });
            const resource = { tenantId: 'T', authorId: own ? 'me' : 'someone-else' };
            assert.equal(can(action, p, resource), expected(action, role, own), `${action} ${role} ${kind} own=${own}`);
            assert.equal(can(action, p, { ...resource, tenantId: 'OTHER' }), false, `${action} ${role} cross-tenant`);
          }
        }
      }
    }
  });
});

type Outcome = 'ok' | 'forbidden' | 'not-found';

async function outcome(promise: Promise<unknown>): Promise<Outcome> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (error instanceof GalleyError && error.code === 'GALLEY_FORBIDDEN') return 'forbidden';
    if (error instanceof GalleyError && error.code === 'GALLEY_NOT_FOUND') return 'not-found';
    throw error;
  }
}

for (const backend of BACKENDS) {
  describe(`content policies through the use cases (${backend})`, () => {
    let t: TestStore;
    let queue: Queue;
    let tenantId: string;
    before(async () => {
      t = await openTestStore(backend);
      queue = buildQueue(backend, t.store);
      tenantId = (await buildTenant(t.store.db)).id;
      await buildArticleType(t.store, tenantId);
    });
    after(async () => {
      await queue.close();
      await t.cleanup();
    });

    /** Runs `action` as `actor` against a fresh entry (authored by `owner`), where the action needs one. */
    async function attempt(
      action: ContentAction,
      actor: Principal,
      owner: Principal,
      onTenant: string,
    ): Promise<Outcome> {
      const entry: Entry = await buildEntry(t.store, { tenantId, actor: owner });
      const store = t.store;
      const base = { store, actor, tenantId: onTenant };
      switch (action) {
        case 'entry.read':
          return outcome(getEntry({ ...base, id: entry.id }));
        case 'entry.list':
          return outcome(listEntries(base));
        case 'entry.revisions':
          return outcome(listRevisions({ ...base, id: entry.id }));
        case 'entry.create':
          return outcome(createEntry({ ...base, type: 'article', fields: { title: 'x' } }));
        case 'entry.update':
          return outcome(patchEntry({ ...base, id: entry.id, fields: { body: 'b' }, expectedVersion: 1 }));
        case 'entry.delete':
          return outcome(deleteEntry({ ...base, id: entry.id, expectedVersion: 1 }));
        case 'entry.restore':
          return outcome(restoreEntry({ ...base, id: entry.id, revision: 1 }));
        case 'entry.publish':
          return outcome(publishEntry({ ...base, id: entry.id }));
        case 'entry.unpublish':
          return outcome(unpublishEntry({ ...base, id: entry.id }));
        case 'entry.schedule':
          return outcome(schedulePublish({ ...base, queue, id: entry.id, at: '2100-01-01T00:00:00Z' }));
        case 'contentType.read':
          return outcome(getContentType({ ...base, name: 'article' }));
        case 'contentType.define':
          return outcome(
            defineContentType({ ...base, definition: { name: 'extra', fields: [{ name: 'title', kind: 'text' }] } }),
          );
      }
    }

    test('every action × role × own/other entry; another tenant’s principal always gets not found', async () => {
      const someoneElse = buildPrincipal({ tenantId, role: 'editor' });
      for (const action of CONTENT_ACTIONS) {
        for (const role of MEMBER_ROLES) {
          const me = buildPrincipal({ tenantId, role, kind: role === 'editor' ? 'service' : 'user' });
          for (const own of [true, false]) {
            const owner = own && role !== 'viewer' ? me : someoneElse;
            const isOwn = owner === me;
            const got = await attempt(action, me, owner, tenantId);
            assert.equal(got, expected(action, role, isOwn) ? 'ok' : 'forbidden', `${action} as ${role} own=${isOwn}`);
          }
          const stranger = buildPrincipal({ tenantId: `${tenantId}-other`, role });
          assert.equal(await attempt(action, stranger, someoneElse, tenantId), 'not-found', `${action} cross-tenant`);
        }
      }
    });
  });
}
