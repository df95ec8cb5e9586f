/**
 * The authorization matrix of the content API: every route × every caller (owner, admin, editor, author on its
 * own entry and on another's, viewer, a service account with the editor role, an owner of another tenant, no
 * token) → the expected status. The tenant check comes first, so another tenant's owner always gets 404.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '../../../../test/support/backends.ts';
import type { MemberRole } from '../../../data/store/schema.ts';
import { type CallOptions, type ContentApiBench, openContentApiBench } from './testing.ts';

type CallerName =
  | 'owner'
  | 'admin'
  | 'editor'
  | 'author-own'
  | 'author-other'
  | 'viewer'
  | 'service'
  | 'cross'
  | 'anon';
const CALLERS: readonly CallerName[] = [
  'owner',
  'admin',
  'editor',
  'author-own',
  'author-other',
  'viewer',
  'service',
  'cross',
  'anon',
];

interface Route {
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Path after the tenant slug; `{id}` is a fresh entry (published first when `published`). */
  readonly path: string;
  readonly body?: unknown;
  readonly ifMatch?: boolean;
  readonly published?: boolean;
  /** Status for each member caller that is allowed; others (but cross 404, anon 401) get 403. */
  readonly allowed: number;
  /** Which member callers are allowed. */
  readonly who: 'members' | 'writers' | 'editorsOrOwn' | 'editors' | 'admins';
}

const ROUTES: readonly Route[] = [
  { name: 'list', method: 'GET', path: '/entries', allowed: 200, who: 'members' },
  {
    name: 'create',
    method: 'POST',
    path: '/entries',
    body: { type: 'article', fields: { title: 'M' } },
    allowed: 201,
    who: 'writers',
  },
  { name: 'read', method: 'GET', path: '/entries/{id}', allowed: 200, who: 'members' },
  {
    name: 'patch',
    method: 'PATCH',
    path: '/entries/{id}',
    body: { fields: { title: 'N' } },
    ifMatch: true,
    allowed: 200,
    who: 'editorsOrOwn',
  },
  { name: 'delete', method: 'DELETE', path: '/entries/{id}', ifMatch: true, allowed: 204, who: 'editorsOrOwn' },
  { name: 'publish', method: 'POST', path: '/entries/{id}/publish', allowed: 200, who: 'editors' },
  {
    name: 'unpublish',
    method: 'POST',
    path: '/entries/{id}/unpublish',
    published: true,
    allowed: 200,
    who: 'editors',
  },
  {
    name: 'schedule',
    method: 'POST',
    path: '/entries/{id}/schedule',
    body: { at: '2999-01-01T00:00:00.000Z' },
    allowed: 200,
    who: 'editors',
  },
  {
    name: 'restore',
    method: 'POST',
    path: '/entries/{id}/restore',
    body: { revision: 1 },
    allowed: 200,
    who: 'editorsOrOwn',
  },
  { name: 'revisions', method: 'GET', path: '/entries/{id}/revisions', allowed: 200, who: 'members' },
  { name: 'search', method: 'GET', path: '/search?q=matrix', allowed: 200, who: 'members' },
  { name: 'types', method: 'GET', path: '/content-types', allowed: 200, who: 'members' },
  { name: 'type', method: 'GET', path: '/content-types/article', allowed: 200, who: 'members' },
  {
    name: 'define type',
    method: 'PUT',
    path: '/content-types/matrix',
    body: { fields: [{ name: 'title', kind: 'text' }] },
    allowed: 200,
    who: 'admins',
  },
];

const ALLOWED: Readonly<Record<Route['who'], readonly CallerName[]>> = {
  members: ['owner', 'admin', 'editor', 'author-own', 'author-other', 'viewer', 'service'],
  writers: ['owner', 'admin', 'editor', 'author-own', 'author-other', 'service'],
  editorsOrOwn: ['owner', 'admin', 'editor', 'author-own', 'service'],
  editors: ['owner', 'admin', 'editor', 'service'],
  admins: ['owner', 'admin'],
};

/** The status `caller` must get on `route`. */
function expected(route: Route, caller: CallerName): number {
  if (caller === 'anon') return 401;
  if (caller === 'cross') return 404;
  if (!ALLOWED[route.who].includes(caller)) return 403;
  // The first definition of the type creates it.
  if (route.name === 'define type' && caller === 'owner') return 201;
  return route.allowed;
}

const ROLE: Readonly<Record<Exclude<CallerName, 'cross' | 'anon'>, MemberRole>> = {
  owner: 'owner',
  admin: 'admin',
  editor: 'editor',
  'author-own': 'author',
  'author-other': 'author',
  viewer: 'viewer',
  service: 'editor',
};

for (const backend of BACKENDS) {
  describe(`content API authorization matrix (${backend})`, () => {
    let t: ContentApiBench;
    before(async () => {
      t = await openContentApiBench(backend);
    });
    after(async () => t.cleanup());

    function callerOptions(caller: CallerName): CallOptions {
      if (caller === 'anon') return { bearer: null };
      if (caller === 'cross') return { role: 'owner', tenantId: t.other.id };
      if (caller === 'service') return { role: 'editor', kind: 'service', subject: 'svc-1' };
      return { role: ROLE[caller], subject: caller === 'author-own' ? 'user-author' : `user-${caller}` };
    }

    /** A fresh entry: by the author for `author-own`, by an editor otherwise; published when asked. */
    async function freshEntry(caller: CallerName, published: boolean): Promise<{ id: string; version: number }> {
      const author: CallOptions =
        caller === 'author-own' ? { role: 'author', subject: 'user-author' } : { role: 'editor', subject: 'user-ed' };
      const res = await t.call('POST', `${t.tenant.slug}/entries`, {
        ...author,
        body: { type: 'article', fields: { title: 'matrix entry' } },
      });
      assert.equal(res.statusCode, 201, res.body);
      const entry = res.json<{ id: string; version: number }>();
      if (!published) return entry;
      const pub = await t.call('POST', `${t.tenant.slug}/entries/${entry.id}/publish`, { role: 'owner' });
      assert.equal(pub.statusCode, 200, pub.body);
      return pub.json<{ id: string; version: number }>();
    }

    for (const route of ROUTES) {
      test(`${route.method} ${route.path}`, async () => {
        const seen: string[] = [];
        const wanted: string[] = [];
        for (const caller of CALLERS) {
          const entry = route.path.includes('{id}') ? await freshEntry(caller, route.published === true) : undefined;
          const path = `${t.tenant.slug}${route.path.replace('{id}', entry?.id ?? '')}`;
          const res = await t.call(route.method, path, {
            ...callerOptions(caller),
            ...(route.body === undefined ? {} : { body: route.body }),
            headers:
              route.ifMatch === true && entry !== undefined ? { 'if-match': `"${entry.id}.${entry.version}"` } : {},
          });
          seen.push(`${caller}:${res.statusCode}`);
          wanted.push(`${caller}:${expected(route, caller)}`);
        }
        assert.deepEqual(seen, wanted);
      });
    }
  });
}
