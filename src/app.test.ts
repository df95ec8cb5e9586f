import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { type EdgeTestPlane, openEdgeTestPlane } from '../test/support/planeDoubles.ts';
import { buildApp } from './app.ts';
import { loadConfig } from './config/config.ts';
import { GalleyError } from './experience/errors/errors.ts';

// Shedding off: a slow start on a loaded machine must not turn these assertions into 503s (see loadShedding.test).
const config = loadConfig({}, { logLevel: 'silent', bodyLimitBytes: 1024, maxEventLoopDelayMs: 0 });

const EntryBody = Type.Object({
  fields: Type.Object({ title: Type.String({ minLength: 1 }), rank: Type.Optional(Type.Integer()) }),
});

function problemOf(res: { headers: Record<string, unknown>; body: string }): Record<string, unknown> {
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  return JSON.parse(res.body) as Record<string, unknown>;
}

describe('buildApp edge', () => {
  let edge: EdgeTestPlane;
  let app: FastifyInstance;

  before(async () => {
    edge = await openEdgeTestPlane();
    app = await buildApp(config, edge.plane, { logger: false });
    const typed = app.withTypeProvider<TypeBoxTypeProvider>();
    typed.post('/test/entries', { schema: { body: EntryBody } }, async (request) => ({
      title: request.body.fields.title,
    }));
    typed.get('/test/boom', async () => {
      throw new Error('secret connection string postgres://admin:hunter2@db');
    });
    typed.get('/test/items/:id', async (request) => request.params);
    typed.get('/test/conflict', async () => {
      throw new GalleyError('GALLEY_CONFLICT', 'Entry changed since version 3');
    });
    await app.ready();
  });

  after(async () => {
    await app.close();
    await edge.plane.close();
  });

  it('answers an unknown route with 404 problem+json', async () => {
    const res = await app.inject({ method: 'GET', url: '/nope?token=abc' });
    assert.equal(res.statusCode, 404);
    const p = problemOf(res);
    assert.equal(p.code, 'GALLEY_NOT_FOUND');
    assert.equal(p.type, 'https://galley.dev/problems/galley-not-found');
    assert.equal(p.status, 404);
    assert.equal(p.instance, '/nope');
    assert.equal(typeof p.title, 'string');
    assert.equal(typeof p.detail, 'string');
    assert.equal(p.requestId, res.headers['x-request-id']);
  });

  it('rejects malformed JSON with GALLEY_BAD_JSON', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/test/entries',
      headers: { 'content-type': 'application/json' },
      payload: '{"fields": {',
    });
    assert.equal(res.statusCode, 400);
    assert.equal(problemOf(res).code, 'GALLEY_BAD_JSON');
  });

  it('rejects a body over the limit with 413 GALLEY_BODY_TOO_LARGE', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/test/entries',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ fields: { title: 'x'.repeat(4096) } }),
    });
    assert.equal(res.statusCode, 413);
    assert.equal(problemOf(res).code, 'GALLEY_BODY_TOO_LARGE');
  });

  it('rejects an unsupported content type with 415', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/test/entries',
      headers: { 'content-type': 'application/xml' },
      payload: '<fields/>',
    });
    assert.equal(res.statusCode, 415);
    assert.equal(problemOf(res).code, 'GALLEY_UNSUPPORTED_MEDIA_TYPE');
  });

  it('names the invalid and the missing field in a validation problem', async () => {
    const wrongType = await app.inject({ method: 'POST', url: '/test/entries', payload: { fields: { title: 42 } } });
    assert.equal(wrongType.statusCode, 400);
    const p = problemOf(wrongType);
    assert.equal(p.code, 'GALLEY_VALIDATION_FAILED');
    assert.deepEqual(p.errors, [{ field: '/fields/title', message: 'must be string', location: 'body' }]);

    const missing = await app.inject({ method: 'POST', url: '/test/entries', payload: { fields: { rank: 1 } } });
    const m = problemOf(missing);
    assert.equal(m.code, 'GALLEY_VALIDATION_FAILED');
    assert.deepEqual(m.errors, [{ field: '/fields/title', message: 'is required', location: 'body' }]);

    const ok = await app.inject({ method: 'POST', url: '/test/entries', payload: { fields: { title: 'Hi' } } });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json(), { title: 'Hi' });
  });

  it('hides the message and stack of an unexpected error', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/boom' });
    assert.equal(res.statusCode, 500);
    const p = problemOf(res);
    assert.equal(p.code, 'GALLEY_INTERNAL');
    assert.doesNotMatch(res.body, /hunter2|postgres:|stack|at .*\.ts/);
    assert.equal(p.detail, p.title);
  });

  it('renders a thrown GalleyError with its catalogued status and public message', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/conflict' });
    assert.equal(res.statusCode, 409);
    const p = problemOf(res);
    assert.equal(p.code, 'GALLEY_CONFLICT');
    assert.equal(p.detail, 'Entry changed since version 3');
  });

  it('answers a malformed URL parameter with a problem, before routing', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/items/%zz' });
    assert.equal(res.statusCode, 400);
    assert.equal(problemOf(res).code, 'GALLEY_BAD_REQUEST');
    assert.ok(res.headers['x-request-id']);
  });

  it('keeps a sane incoming request id and replaces an unsafe one', async () => {
    const kept = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'edge-abc.123' } });
    assert.equal(kept.headers['x-request-id'], 'edge-abc.123');

    const replaced = await app.inject({
      method: 'GET',
      url: '/nope',
      headers: { 'x-request-id': 'bad id\twith spaces' },
    });
    const id = String(replaced.headers['x-request-id']);
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.equal(problemOf(replaced).requestId, id);
  });

  it('sends security headers on success and error responses', async () => {
    for (const url of ['/healthz', '/nope']) {
      const res = await app.inject({ method: 'GET', url });
      assert.match(String(res.headers['content-security-policy']), /default-src 'none'/);
      assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/);
      assert.match(String(res.headers['strict-transport-security']), /max-age=31536000; includeSubDomains/);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['x-powered-by'], undefined);
    }
  });

  it('serves an OpenAPI 3.1 document listing every registered route', async () => {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    const doc = res.json() as { openapi: string; info: { title: string; version: string }; paths: object };
    assert.equal(doc.openapi, '3.1.0');
    assert.equal(doc.info.title, 'Galley');
    assert.match(doc.info.version, /^\d+\.\d+\.\d+/);
    const paths = Object.keys(doc.paths);
    for (const p of ['/healthz', '/readyz', '/test/entries']) assert.ok(paths.includes(p), `${p} in ${paths}`);
    assert.ok(!paths.includes('/openapi.json'));
  });
});

describe('buildApp logging', () => {
  it('logs an internal error in full, with the request id, while the client sees neither', async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) };
    const edge = await openEdgeTestPlane();
    const app = await buildApp(config, edge.plane, { logger: { level: 'info', stream } });
    try {
      app.get('/test/boom', async () => {
        throw new Error('secret detail for operators');
      });
      const res = await app.inject({ method: 'GET', url: '/test/boom', headers: { 'x-request-id': 'trace-42' } });
      assert.doesNotMatch(res.body, /secret detail/);
      const logged = lines.find((l) => l.msg === 'request failed');
      assert.ok(logged, 'the failure is logged');
      assert.equal(logged.requestId, 'trace-42');
      assert.equal(logged.level, 50);
      const err = logged.err as { message: string; stack: string };
      assert.equal(err.message, 'secret detail for operators');
      assert.match(err.stack, /app\.test\.ts/);
    } finally {
      await app.close();
      await edge.plane.close();
    }
  });
});
