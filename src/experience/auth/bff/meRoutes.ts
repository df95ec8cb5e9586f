/**
 * `GET /api/v1/me`: who the presented bearer token stands for (`galley whoami`, the BFF's session view). Needs
 * only a valid token; the answer concerns the caller's own tenant and identity.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ApiContext } from '../../api/index.ts';
import { problemResponse } from '../../http/problem.ts';
import { requireAuth, requireTenantAccess } from '../verify/authenticate.ts';
import { presentMe } from './mePresenter.ts';
import { MeSchema } from './schemas.ts';

/** Registers `GET /api/v1/me` (mounted without prefix: the path is absolute). */
export const meRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, { plane }) => {
  app.get(
    '/api/v1/me',
    {
      onRequest: requireAuth,
      schema: {
        tags: ['auth'],
        summary: 'The caller the bearer token stands for',
        response: { 200: MeSchema, 401: problemResponse('Missing or refused bearer token (GALLEY_UNAUTHENTICATED)') },
      },
    },
    async (request, reply) => {
      const principal = request.principal;
      const own = requireTenantAccess(request, principal?.tenantId ?? '');
      reply.header('cache-control', 'no-store');
      return presentMe(plane.store, own);
    },
  );
};
