/**
 * Content types over HTTP, under `/api/v1/tenants/:tenant`:
 *
 *   GET /content-types          every type of the tenant, by name
 *   GET /content-types/:name    one type
 *   PUT /content-types/:name    create (201) or change (200) a type: the full definition; breaking changes need
 *                               `"migration": "explicit"` (409 GALLEY_CONTENT_TYPE_BREAKING_CHANGE otherwise)
 *
 * Any member reads; owners and admins define. Registered by routes.ts, inside its auth scope.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { presentContentType } from '../../../content/presenters/entryPresenter.ts';
import { defineContentType } from '../../../content/types/contentTypeDefiner.ts';
import { getContentType, listContentTypes } from '../../../content/types/contentTypeReader.ts';
import type { ContentType } from '../../../content/types/types.ts';
import { problemResponse } from '../../http/problem.ts';
import type { ApiContext } from '../index.ts';
import { tenantAccess } from './access.ts';
import { ENTRY_ERRORS } from './routes.ts';
import { ContentTypeBody, ContentTypeList, ContentTypeParams, ContentTypeSchema, TenantParams } from './schemas.ts';

const TAGS = ['content-types'];

/** The presented type with mutable arrays, as the response schema's inferred type wants. */
function typeJson(type: ContentType): Static<typeof ContentTypeSchema> {
  const json = presentContentType(type);
  return {
    ...json,
    fields: json.fields.map(({ referenceTypes, ...f }) =>
      referenceTypes === undefined ? f : { ...f, referenceTypes: [...referenceTypes] },
    ),
  };
}

/** Registers the content type routes. */
export const contentTypeRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, { plane }) => {
  const store = plane.store;

  app.get(
    '/tenants/:tenant/content-types',
    {
      schema: {
        tags: TAGS,
        summary: "The tenant's content types",
        params: TenantParams,
        response: { 200: ContentTypeList, ...ENTRY_ERRORS },
      },
    },
    async (request) => {
      const { tenantId, principal } = await tenantAccess(store.db, request, request.params.tenant);
      const types = await listContentTypes({ store, actor: principal, tenantId });
      return { items: types.map(typeJson) };
    },
  );

  app.get(
    '/tenants/:tenant/content-types/:name',
    {
      schema: {
        tags: TAGS,
        summary: 'One content type',
        params: ContentTypeParams,
        response: { 200: ContentTypeSchema, ...ENTRY_ERRORS },
      },
    },
    async (request) => {
      const { tenantId, principal } = await tenantAccess(store.db, request, request.params.tenant);
      return typeJson(await getContentType({ store, actor: principal, tenantId, name: request.params.name }));
    },
  );

  app.put(
    '/tenants/:tenant/content-types/:name',
    {
      schema: {
        tags: TAGS,
        summary: 'Create or change a content type (additive changes unless migration is explicit)',
        params: ContentTypeParams,
        body: ContentTypeBody,
        response: {
          200: ContentTypeSchema,
          201: ContentTypeSchema,
          400: problemResponse('Invalid definition (GALLEY_CONTENT_TYPE_INVALID)'),
          409: problemResponse('Breaking change without migration explicit (GALLEY_CONTENT_TYPE_BREAKING_CHANGE)'),
          ...ENTRY_ERRORS,
        },
      },
    },
    async (request, reply) => {
      const { tenantId, principal } = await tenantAccess(store.db, request, request.params.tenant);
      const body = request.body;
      const result = await defineContentType({
        store,
        actor: principal,
        tenantId,
        definition: {
          name: request.params.name,
          fields: body.fields,
          ...(body.label === undefined ? {} : { label: body.label }),
          ...(body.titleField === undefined ? {} : { titleField: body.titleField }),
        },
        ...(body.migration === undefined ? {} : { migration: body.migration }),
      });
      return reply.code(result.created ? 201 : 200).send(typeJson(result.contentType));
    },
  );
};
