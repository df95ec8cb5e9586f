/**
 * Entries over HTTP, under `/api/v1/tenants/:tenant` (`:tenant` is the tenant slug):
 *
 *   POST   /entries                     create (201 + ETag + Location)
 *   GET    /entries?limit&cursor&type&status&tag&author&updatedFrom&updatedTo&estimateCount   newest first
 *   GET    /entries/:id                 read (ETag; If-None-Match → 304)
 *   PATCH  /entries/:id                 change fields (If-Match required: 428 without, 412 when stale)
 *   DELETE /entries/:id                 soft delete (If-Match required)
 *
 * plus the lifecycle (lifecycleRoutes.ts), search (searchRoutes.ts) and content types (contentTypeRoutes.ts).
 * Every route needs a bearer token; the tenant is checked first (access.ts), roles by the use cases' policies.
 * POST, PATCH and publish honour `Idempotency-Key` (http/idempotency.ts).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createEntry } from '../../../content/entries/entryCreator.ts';
import { deleteEntry } from '../../../content/entries/entryDeleter.ts';
import { listEntries } from '../../../content/entries/entryLister.ts';
import { patchEntry } from '../../../content/entries/entryPatcher.ts';
import { getEntry } from '../../../content/entries/entryReader.ts';
import { type EntryListFilters, entryEtag } from '../../../content/entries/types.ts';
import { presentEntry } from '../../../content/presenters/entryPresenter.ts';
import { requireAuth } from '../../auth/verify/authenticate.ts';
import { createIdempotency } from '../../http/idempotency.ts';
import { problemResponse } from '../../http/problem.ts';
import type { ApiContext } from '../index.ts';
import { ifMatchVersion, notModified, tenantAccess } from './access.ts';
import { contentTypeRoutes } from './contentTypeRoutes.ts';
import { lifecycleRoutes } from './lifecycleRoutes.ts';
import {
  EntryCreateBody,
  EntryListQuery,
  EntryPageSchema,
  EntryParams,
  EntryPatchBody,
  EntrySchema,
  NoContent,
  TenantParams,
} from './schemas.ts';
import { searchRoutes } from './searchRoutes.ts';

const TAGS = ['entries'];
/** Error responses every entry route can give. */
export const ENTRY_ERRORS = {
  401: problemResponse('Missing or refused bearer token (GALLEY_UNAUTHENTICATED)'),
  403: problemResponse('The role may not do this, or the token lacks the api scope (GALLEY_FORBIDDEN)'),
  404: problemResponse('No such tenant or entry (GALLEY_NOT_FOUND)'),
};
/** Error responses of routes that honour Idempotency-Key. */
export const IDEMPOTENCY_ERRORS = {
  409: problemResponse('The same Idempotency-Key is still being processed (GALLEY_IDEMPOTENCY_IN_PROGRESS)'),
  422: problemResponse('The Idempotency-Key was used for a different request (GALLEY_IDEMPOTENCY_KEY_REUSED)'),
};
const VALIDATION = { 400: problemResponse('Invalid fields, filter or cursor (GALLEY_VALIDATION_FAILED)') };
const STALE = {
  412: problemResponse('If-Match names an older version; currentVersion and currentEtag say the current one'),
  428: problemResponse('If-Match is missing (GALLEY_PRECONDITION_REQUIRED)'),
};

/** Registers every content management route (mounted under `/api/v1`). */
export const entryRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, context) => {
  const { plane } = context;
  const store = plane.store;
  const idempotency = createIdempotency(store);

  app.addHook('onRequest', requireAuth);
  app.addHook('onSend', idempotency.onSend);

  const base = '/tenants/:tenant/entries';

  app.post(
    base,
    {
      schema: {
        tags: TAGS,
        summary: 'Create an entry (a draft)',
        params: TenantParams,
        body: EntryCreateBody,
        response: { 201: EntrySchema, ...VALIDATION, ...ENTRY_ERRORS, ...IDEMPOTENCY_ERRORS },
      },
    },
    async (request, reply) => {
      const { tenantId, principal } = await tenantAccess(store, request, request.params.tenant);
      if (!(await idempotency.claim(request, reply, tenantId))) return reply;
      const entry = await createEntry({
        store,
        actor: principal,
        tenantId,
        type: request.body.type,
        fields: request.body.fields,
      });
      reply.header('etag', entryEtag(entry));
      reply.header('location', `/api/v1/tenants/${request.params.tenant}/entries/${entry.id}`);
      return reply.code(201).send(presentEntry(entry, request.params.tenant));
    },
  );

  app.get(
    base,
    {
      schema: {
        tags: TAGS,
        summary: 'List entries, newest first (keyset pages)',
        params: TenantParams,
        querystring: EntryListQuery,
        response: { 200: EntryPageSchema, ...VALIDATION, ...ENTRY_ERRORS },
      },
    },
    async (request) => {
      const { tenantId, principal } = await tenantAccess(store, request, request.params.tenant);
      const q = request.query;
      const filters: EntryListFilters = {
        ...(q.type === undefined ? {} : { type: q.type }),
        ...(q.status === undefined ? {} : { status: q.status }),
        ...(q.tag === undefined ? {} : { tag: q.tag }),
        ...(q.author === undefined ? {} : { authorId: q.author }),
        ...(q.updatedFrom === undefined ? {} : { updatedFrom: q.updatedFrom }),
        ...(q.updatedTo === undefined ? {} : { updatedTo: q.updatedTo }),
      };
      const page = await listEntries({
        store,
        actor: principal,
        tenantId,
        filters,
        ...(q.limit === undefined ? {} : { limit: q.limit }),
        ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
        ...(q.estimateCount === undefined ? {} : { estimateCount: q.estimateCount }),
      });
      return {
        items: page.items.map((e) => presentEntry(e, request.params.tenant)),
        next: page.next,
        ...(page.estimatedCount === undefined ? {} : { estimatedCount: page.estimatedCount }),
      };
    },
  );

  app.get(
    `${base}/:id`,
    {
      schema: {
        tags: TAGS,
        summary: 'Read an entry (its draft state); If-None-Match answers 304',
        params: EntryParams,
        response: { 200: EntrySchema, 304: { description: 'Not modified' }, ...ENTRY_ERRORS },
      },
    },
    async (request, reply) => {
      const { tenantId, principal } = await tenantAccess(store, request, request.params.tenant);
      const entry = await getEntry({ store, actor: principal, tenantId, id: request.params.id });
      const etag = entryEtag(entry);
      reply.header('etag', etag);
      reply.header('cache-control', 'private, no-cache');
      if (notModified(request, etag)) return reply.code(304).send();
      return presentEntry(entry, request.params.tenant);
    },
  );

  app.patch(
    `${base}/:id`,
    {
      schema: {
        tags: TAGS,
        summary: 'Change some fields of an entry; If-Match with its current ETag is required',
        params: EntryParams,
        body: EntryPatchBody,
        response: { 200: EntrySchema, ...VALIDATION, ...ENTRY_ERRORS, ...IDEMPOTENCY_ERRORS, ...STALE },
      },
    },
    async (request, reply) => {
      const { tenantId, principal } = await tenantAccess(store, request, request.params.tenant);
      const expectedVersion = ifMatchVersion(request, request.params.id, true) ?? 0;
      if (!(await idempotency.claim(request, reply, tenantId))) return reply;
      const entry = await patchEntry({
        store,
        actor: principal,
        tenantId,
        id: request.params.id,
        fields: request.body.fields,
        expectedVersion,
      });
      reply.header('etag', entryEtag(entry));
      return presentEntry(entry, request.params.tenant);
    },
  );

  app.delete(
    `${base}/:id`,
    {
      schema: {
        tags: TAGS,
        summary: 'Delete an entry (soft; ids are never reused); If-Match is required',
        params: EntryParams,
        response: { 204: NoContent, ...ENTRY_ERRORS, ...STALE },
      },
    },
    async (request, reply) => {
      const { tenantId, principal } = await tenantAccess(store, request, request.params.tenant);
      const expectedVersion = ifMatchVersion(request, request.params.id, true) ?? 0;
      await deleteEntry({ store, actor: principal, tenantId, id: request.params.id, expectedVersion });
      return reply.code(204).send(null);
    },
  );

  // Children inherit this plugin's prefix, hooks (auth, idempotency) and scope; pass only the context (the
  // options object also carries `prefix`, which would apply twice).
  const { config, metrics, secret } = context;
  const shared: ApiContext = { config, plane, metrics, secret };
  await app.register(lifecycleRoutes, { ...shared, idempotency });
  await app.register(searchRoutes, shared);
  await app.register(contentTypeRoutes, shared);
};
