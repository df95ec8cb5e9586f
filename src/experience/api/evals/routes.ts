/**
 * The eval API, under `/api/v1` (register with that prefix):
 *
 *   GET /ai/evals/latest[?task=<task>]   the newest stored `galley eval` run per task (or of one task) (200)
 *
 * Bearer token required (requireAuth); owners and admins only (policy.ts). Tasks never evaluated are left out, so
 * the list may be empty. The admin page and the shadow comparison read it.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { latestEvalRuns } from '../../../intelligence/evals/runs/evalRunQueries.ts';
import { requireAuth } from '../../auth/verify/authenticate.ts';
import { TokenRejectedError } from '../../auth/verify/claims.ts';
import { problemResponse } from '../../http/problem.ts';
import type { ApiContext } from '../index.ts';
import { authorizeEvalRead } from './policy.ts';
import { presentEvalRun } from './presenter.ts';
import { EvalLatestQuerySchema, EvalLatestSchema } from './schemas.ts';

/** Registers the eval routes. */
export const evalRoutes: FastifyPluginAsyncTypebox<Pick<ApiContext, 'plane'>> = async (app, options) => {
  app.addHook('onRequest', requireAuth);

  app.get(
    '/ai/evals/latest',
    {
      schema: {
        tags: ['ai'],
        summary: 'The latest eval run per AI task (figures, gate, per-case verdicts)',
        querystring: EvalLatestQuerySchema,
        response: {
          200: EvalLatestSchema,
          401: problemResponse('Missing or refused bearer token (GALLEY_UNAUTHENTICATED)'),
          403: problemResponse('Not an owner or admin (GALLEY_FORBIDDEN)'),
        },
      },
    },
    async (request) => {
      if (request.principal === null) throw new TokenRejectedError('missing');
      authorizeEvalRead(request.principal);
      const runs = await latestEvalRuns(options.plane.store.db, request.query.task);
      return { runs: runs.map(presentEvalRun) };
    },
  );
};
