import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { BACKENDS } from '../../../../test/support/backends.ts';
import { type EdgeTestPlane, openEdgeTestPlane } from '../../../../test/support/planeDoubles.ts';
import { buildApp } from '../../../app.ts';
import { loadConfig } from '../../../config/config.ts';
import { requireAuth, requireTenantAccess } from './authenticate.ts';
import { denySession } from './denyList.ts';
import { eventually, openVerifyHarness, type VerifyHarness } from './testHarness.ts';

interface Problem {
  readonly code: string;
  readonly status: number;
  readonly detail: string;
}

const now = () => Math.floor(Date.now() / 1000);

for (const backend of BACKENDS) {
  describe(`authenticate plugin (${backend})`, () => {
    let h: VerifyHarness;
    let edge: EdgeTestPlane;
    let app: FastifyInstance;

    before(async () => {
      h = await openVerifyHarness(backend);
      edge = await openEdgeTestPlane();
      app = await buildApp(loadConfig({}, { logLevel: 'silent', maxEventLoopDelayMs: 0 }), edge.plane, {
        logger: false,
        verifier: h.newVerifier(),
      });
      app.get<{ Params: { tenantId: string } }>(
        '/test/tenants/:tenantId/whoami',
        { onRequest: requireAuth },
        async (request) => {
          const principal = requireTenantAccess(request, request.params.tenantId);
          return { subject: principal.subject, role: principal.role };
        },
      );
      app.get('/test/open', async (request) => ({ principal: request.principal }));
      await app.ready();
    });

    after(async () => {
      await app.close();
      await edge.plane.close();
      await h.cleanup();
    });

    const call = (tenantId: string, authorization?: string) =>
      app.inject({
        method: 'GET',
        url: `/test/tenants/${tenantId}/whoami`,
        headers: authorization === undefined ? {} : { authorization },
      });

    test('a valid bearer token reaches the route with its principal', async () => {
      const token = await h.mint({ claims: { sub: 'user-a', tid: 'tenant-a', role: 'admin' } });
      const res = await call('tenant-a', `Bearer ${token}`);
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { subject: 'user-a', role: 'admin' });
      // The scheme is case-insensitive.
      assert.equal((await call('tenant-a', `bearer ${token}`)).statusCode, 200);
    });

    test('no token: 401 problem+json with a bare Bearer challenge', async () => {
      const res = await call('tenant-a');
      assert.equal(res.statusCode, 401);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="galley"');
      const body = res.json() as Problem;
      assert.equal(body.code, 'GALLEY_UNAUTHENTICATED');
      assert.equal(body.detail, 'bearer token required');
    });

    test('another scheme or a mangled header is an invalid token', async () => {
      for (const header of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b']) {
        const res = await call('tenant-a', header);
        assert.equal(res.statusCode, 401, header);
        assert.match(String(res.headers['www-authenticate']), /error="invalid_token"/, header);
      }
    });

    test('an expired token: 401 "token expired" with error="invalid_token"', async () => {
      const token = await h.mint({ claims: { tid: 'tenant-a' }, iat: now() - 1000 });
      const res = await call('tenant-a', `Bearer ${token}`);
      assert.equal(res.statusCode, 401);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(
        res.headers['www-authenticate'],
        'Bearer realm="galley", error="invalid_token", error_description="token expired"',
      );
      const body = res.json() as Problem;
      assert.equal(body.code, 'GALLEY_UNAUTHENTICATED');
      assert.equal(body.detail, 'token expired');
    });

    test('a revoked token: 401 "token revoked" within moments of the denial', async () => {
      const token = await h.mint({ claims: { tid: 'tenant-a' } });
      assert.equal((await call('tenant-a', `Bearer ${token}`)).statusCode, 200);
      const sid = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).sid as string;
      await denySession(h.kv, sid);
      await eventually(async () => (await call('tenant-a', `Bearer ${token}`)).statusCode === 401);
      const res = await call('tenant-a', `Bearer ${token}`);
      assert.equal((res.json() as Problem).detail, 'token revoked');
    });

    test("a token of tenant A on tenant B's route is 404, like a tenant that does not exist", async () => {
      const token = await h.mint({ claims: { tid: 'tenant-a' } });
      const res = await call('tenant-b', `Bearer ${token}`);
      assert.equal(res.statusCode, 404);
      assert.equal((res.json() as Problem).code, 'GALLEY_NOT_FOUND');
      assert.equal(res.headers['www-authenticate'], undefined);
    });

    test('routes that do not opt in see a null principal', async () => {
      const token = await h.mint();
      const res = await app.inject({ method: 'GET', url: '/test/open', headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { principal: null });
    });
  });
}
