/**
 * An entry's lifecycle over HTTP, under `/api/v1/tenants/:tenant/entries/:id`:
 *
 *   POST /publish      publish the current version (If-Match optional; Idempotency-Key honoured)
 *   POST /unpublish    withdraw the published copy (If-Match optional)
 *   POST /schedule     publish at a time, or cancel with `{ "at": null }` (If-Match optional)
 *   POST /restore      make an earlier revision's fields the new version (If-Match optional)
 *   GET  /revisions    the versions, newest first (keyset pages)
 *
 * Each answers the entry (with its new ETag), except revisions. Registered by routes.ts, inside its auth scope.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { publishEntry } from '../../../content/entries/entryPublisher.ts';
import { schedulePublish } from '../../../content/entries/entryPublishScheduler.ts';
import { restoreEntry } from '../../../content/entries/entryRestorer.ts';
import { unpublishEntry } from '../../../content/entries/entryUnpublisher.ts';
import { listRevisions } from '../../../content/entries/revisionLister.ts';
import { entryEtag } from '../../../content/entries/types.ts';
import { presentEntry, presentRevision } from '../../../content/presenters/entryPresenter.ts';
import type { Idempotency } from '../../http/idempotency.ts';
import { problemResponse } from '../../http/problem.ts';
import type { ApiContext } from '../index.ts';
import { ifMatchVersion, tenantAccess } from './access.ts';
import { ENTRY_ERRORS, IDEMPOTENCY_ERRORS } from './routes.ts';
import { EntryParams, EntrySchema, PageQuery, RestoreBody, RevisionPageSchema, ScheduleBody } from './schemas.ts';

const TAGS = ['entries'];
const STALE = {
  412: problemResponse('If-Match names an older version; currentVersion and currentEtag say the current one'),
};
// Schema validation answers 400 for any route with a body or query; documented so clients (and the OpenAPI
// contract tests) know.
const INVALID = { 400: problemResponse('Invalid body, query or cursor (GALLEY_VALIDATION_FAILED)') };

/** Options: the API context plus the parent's idempotency mechanism (its onSend hook is already registered). */
export interface LifecycleRoutesOptions extends ApiContext {
  readonly idempotency: Idempotency;
}

/** Registers the lifecycle routes. */
export const lifecycleRoutes: FastifyPluginAsyncTypebox<LifecycleRoutesOptions> = async (app, options) => {
  const { plane, idempotency } = options;
  const store = plane.store;
  const db = store.db;
  const base = '/tenants/:tenant/entries/:id';

  app.post(
    `${base}/publish`,
    {
      schema: {
        tags: TAGS,
        summary: 'Publish the current version of an entry',
        params: EntryParams,
        response: { 200: EntrySchema, ...ENTRY_ERRORS, ...IDEMPOTENCY_ERRORS, ...STALE },
      },
    },
    async (request, reply) => {
      const { tenantId, principal } = await tenantAccess(db, request, request.params.tenant);
      const expectedVersion = ifMatchVersion(request, request.params.id, false);
      if (!(await idempotency.claim(request, reply, tenantId))) return reply;
      const entry = await publishEntry({
        store,
        actor: principal,
        tenantId,
        id: request.params.id,
        ...(expectedVersion === undefined ? {} : { expectedVersion }),
      });
      reply.header('etag', entryEtag(entry));
      return presentEntry(entry, request.params.tenant);
    },
  );

  app.post(
    `${base}/unpublish`,
    {
      schema: {
        tags: TAGS,
        summary: 'Withdraw the published copy of an entry (the draft stays)',
        params: EntryParams,
        response: { 200: EntrySchema, ...ENTRY_ERRORS, ...STALE },
      },
    },
    async (request, reply) => {
      const { tenantId, principal } = await tenantAccess(db, request, request.params.tenant);
      const expectedVersion = ifMatchVersion(request, request.params.id, false);
      const entry = await unpublishEntry({
        store,
        actor: principal,
        tenantId,
        id: request.params.id,
        ...(expectedVersion === undefined ? {} : { expectedVersion }),
      });
      reply.header('etag', entryEtag(entry));
      return presentEntry(entry, request.params.tenant);
    },
  );

  app.post(
    `${base}/schedule`,
    {
      schema: {
        tags: TAGS,
        summary: 'Publish an entry at a given time (a queue job), or cancel the schedule with at: null',
        params: EntryParams,
        body: ScheduleBody,
        response: { 200: EntrySchema, ...INVALID, ...ENTRY_ERRORS, ...STALE },
      },
    },
    async (request, reply) => {
      const { tenantId, principal } = await tenantAccess(db, request, request.params.tenant);
      const expectedVersion = ifMatchVersion(request, request.params.id, false);
      const { entry } = await schedulePublish({
        store,
        queue: plane.queue,
        actor: principal,
        tenantId,
        id: request.params.id,
        at: request.body.at,
        ...(expectedVersion === undefined ? {} : { expectedVersion }),
      });
      reply.header('etag', entryEtag(entry));
      return presentEntry(entry, request.params.tenant);
    },
  );

  app.post(
    `${base}/restore`,
    {
      schema: {
        tags: TAGS,
        summary: "Make an earlier revision's fields the entry's new version",
        params: EntryParams,
        body: RestoreBody,
        response: { 200: EntrySchema, ...INVALID, ...ENTRY_ERRORS, ...STALE },
      },
    },
    async (request, reply) => {
      const { tenantId, principal } = await tenantAccess(db, request, request.params.tenant);
      const expectedVersion = ifMatchVersion(request, request.params.id, false);
      const entry = await restoreEntry({
        store,
        actor: principal,
        tenantId,
        id: request.params.id,
        revision: request.body.revision,
        ...(expectedVersion === undefined ? {} : { expectedVersion }),
      });
      reply.header('etag', entryEtag(entry));
      return presentEntry(entry, request.params.tenant);
    },
  );

  app.get(
    `${base}/revisions`,
    {
      schema: {
        tags: TAGS,
        summary: "An entry's revisions, newest first (keyset pages)",
        params: EntryParams,
        querystring: PageQuery,
        response: { 200: RevisionPageSchema, ...INVALID, ...ENTRY_ERRORS },
      },
    },
    async (request) => {
      const { tenantId, principal } = await tenantAccess(db, request, request.params.tenant);
      const page = await listRevisions({
        store,
        actor: principal,
        tenantId,
        id: request.params.id,
        ...(request.query.limit === undefined ? {} : { limit: request.query.limit }),
        ...(request.query.cursor === undefined ? {} : { cursor: request.query.cursor }),
      });
      return { items: page.items.map((r) => ({ ...presentRevision(r), changed: [...r.changed] })), next: page.next };
    },
  );
};
