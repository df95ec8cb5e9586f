/**
 * `GET /api/v1/tenants/:tenant/search?q&limit&cursor&type&status&tag`: full-text search over the tenant's live
 * entries (drafts and published alike; any member may search) through the search port, best first, with
 * `<mark>` highlights. The port scopes every query to the tenant. Registered by routes.ts, inside its auth scope.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { authorize } from '../../../content/policies/contentPolicies.ts';
import { SearchQueryError } from '../../../data/search/port.ts';
import { GalleyError } from '../../errors/errors.ts';
import { problemResponse } from '../../http/problem.ts';
import type { ApiContext } from '../index.ts';
import { tenantAccess } from './access.ts';
import { ENTRY_ERRORS } from './routes.ts';
import { SearchPageSchema, SearchQuerySchema, TenantParams } from './schemas.ts';

/** Registers the search route. */
export const searchRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, { plane }) => {
  app.get(
    '/tenants/:tenant/search',
    {
      schema: {
        tags: ['entries'],
        summary: "Search the tenant's entries (drafts included), best first",
        params: TenantParams,
        querystring: SearchQuerySchema,
        response: {
          200: SearchPageSchema,
          400: problemResponse('Unparseable query or bad cursor (GALLEY_VALIDATION_FAILED)'),
          ...ENTRY_ERRORS,
        },
      },
    },
    async (request) => {
      const { tenantId, principal } = await tenantAccess(plane.store, request, request.params.tenant);
      authorize('entry.list', principal, { tenantId });
      const q = request.query;
      try {
        const page = await plane.search.query({
          tenantId,
          q: q.q,
          limit: q.limit ?? 20,
          ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
          ...(q.type === undefined ? {} : { type: q.type }),
          ...(q.status === undefined ? {} : { status: q.status }),
          ...(q.tag === undefined ? {} : { tag: q.tag }),
        });
        return { items: [...page.items], next: page.next };
      } catch (error) {
        if (error instanceof SearchQueryError) {
          throw new GalleyError('GALLEY_VALIDATION_FAILED', error.message, {
            errors: [{ field: '/q', message: error.message, location: 'querystring' }],
          });
        }
        throw error;
      }
    },
  );
};
