/**
 * `GET /api/v1/ai/evals/latest` on every backend: runs stored by the eval recorder come back as the latest per
 * task (or of one task), bearer tokens are verified against real signing keys, and only owners and admins holding
 * the API scope may read them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { BACKENDS, uniqueName } from '../../../../test/support/backends.ts';
import { testPlane } from '../../../../test/support/plane.ts';
import { buildApp } from '../../../app.ts';
import { loadConfig } from '../../../config/config.ts';
import type { DataPlane } from '../../../data/dataPlane.ts';
import type { MemberRole } from '../../../data/store/schema.ts';
import { recordEvalRun } from '../../../intelligence/evals/runs/evalRunRecorder.ts';
import { buildCaseResult, buildEvalRun } from '../../../intelligence/evals/testing.ts';
import { authenticatePlugin } from '../../auth/verify/authenticate.ts';
import { openVerifyHarness, type VerifyHarness } from '../../auth/verify/testHarness.ts';
import { installProblemHandlers } from '../../http/errorHandling.ts';
import { OPENAPI_PATH } from '../../http/openapi.ts';
import { API_ROUTES } from '../index.ts';
import { evalRoutes } from './routes.ts';
import type { EvalRunSummary } from './schemas.ts';

test('the eval routes are registered under /api/v1', () => {
  assert.ok(API_ROUTES.some((r) => r.plugin === evalRoutes && r.prefix === '/api/v1'));
});

for (const backend of BACKENDS) {
  describe(`GET /api/v1/ai/evals/latest (${backend})`, () => {
    let h: VerifyHarness;
    let plane: DataPlane;
    let app: FastifyInstance;

    before(async () => {
      h = await openVerifyHarness(backend);
      plane = testPlane(backend, h.store, uniqueName('evals'));
      app = Fastify({ logger: false });
      installProblemHandlers(app);
      await app.register(authenticatePlugin, { verifier: h.newVerifier() });
      await app.register(evalRoutes, { prefix: '/api/v1', plane });
      await app.ready();
    });

    after(async () => {
      await app.close();
      await plane.close();
      await h.cleanup();
    });

    const token = (role: MemberRole, scope?: string) =>
      h.mint({ claims: { sub: `user-${role}`, tid: 'tenant-1', role, ...(scope === undefined ? {} : { scope }) } });

    async function latest(query = '', role: MemberRole = 'admin') {
      return app.inject({
        url: `/api/v1/ai/evals/latest${query}`,
        headers: { authorization: `Bearer ${await token(role)}` },
      });
    }

    test('no token: 401; editor, author, viewer or no api scope: 403', async () => {
      assert.equal((await app.inject({ url: '/api/v1/ai/evals/latest' })).statusCode, 401);
      for (const role of ['editor', 'author', 'viewer'] as const) {
        const response = await latest('', role);
        assert.equal(response.statusCode, 403, role);
        assert.equal(response.json<{ code: string }>().code, 'GALLEY_FORBIDDEN');
      }
      const noScope = await app.inject({
        url: '/api/v1/ai/evals/latest',
        headers: { authorization: `Bearer ${await token('owner', 'openid')}` },
      });
      assert.equal(noScope.statusCode, 403);
    });

    test('the latest run per task, with figures, gate and failing assertions; ?task= narrows it', async () => {
      const empty = await latest();
      assert.equal(empty.statusCode, 200, empty.body);
      assert.deepEqual(empty.json(), { runs: [] });

      const old = buildEvalRun('summary', [buildCaseResult({ id: 's-1' })], { finishedAt: '2026-11-27T01:00:00.000Z' });
      const current = buildEvalRun(
        'summary',
        [buildCaseResult({ id: 's-1' }), buildCaseResult({ id: 's-2', pass: false, reason: 'far from the reference' })],
        { finishedAt: '2026-11-27T02:00:00.000Z', thresholds: { minPassRate: 0.9 } },
      );
      const pii = buildEvalRun('pii', [buildCaseResult({ id: 'p-1' })]);
      for (const run of [old, current, pii]) await recordEvalRun({ db: h.store.db, run });

      const all = await latest('', 'owner');
      assert.equal(all.statusCode, 200, all.body);
      const runs = all.json<{ runs: EvalRunSummary[] }>().runs;
      assert.deepEqual(
        runs.map((r) => [r.task, r.id]),
        [
          ['summary', current.id],
          ['pii', pii.id],
        ],
      );
      const summary = runs[0];
      assert.equal(summary?.gate.pass, false);
      assert.deepEqual(summary?.figures, current.figures);
      assert.deepEqual(summary?.cases[1]?.failures, ['similar: far from the reference']);
      assert.equal(summary?.skipped.count, 2);
      assert.equal(JSON.stringify(runs).includes('output of'), false, 'outputs stay out of the API');

      const onlyPii = await latest('?task=pii');
      assert.deepEqual(
        onlyPii.json<{ runs: EvalRunSummary[] }>().runs.map((r) => r.id),
        [pii.id],
      );
      const bad = await latest('?task=nope');
      assert.equal(bad.statusCode, 400);
    });
  });

  describe(`eval routes inside buildApp (${backend})`, () => {
    let h: VerifyHarness;
    let plane: DataPlane;
    let app: FastifyInstance;

    before(async () => {
      h = await openVerifyHarness(backend);
      plane = testPlane(backend, h.store, uniqueName('evals'));
      const config = loadConfig({}, { logLevel: 'silent', maxEventLoopDelayMs: 0, secret: h.secret });
      app = await buildApp(config, plane, { logger: false, verifier: h.newVerifier(), routes: API_ROUTES });
      await app.ready();
    });

    after(async () => {
      await app.close();
      await plane.close();
      await h.cleanup();
    });

    test('served with the API routes and listed in the OpenAPI document', async () => {
      const run = buildEvalRun('titles', [buildCaseResult({ id: 'titles-1' })]);
      await recordEvalRun({ db: h.store.db, run });
      const bearer = await h.mint({ claims: { sub: 'user-owner', tid: 'tenant-1', role: 'owner' } });
      const response = await app.inject({
        url: '/api/v1/ai/evals/latest?task=titles',
        headers: { authorization: `Bearer ${bearer}` },
      });
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(
        response.json<{ runs: EvalRunSummary[] }>().runs.map((r) => r.id),
        [run.id],
      );
      const openapi = (await app.inject({ url: OPENAPI_PATH })).json<{ paths: Record<string, unknown> }>();
      assert.ok('/api/v1/ai/evals/latest' in openapi.paths);
    });
  });
}
