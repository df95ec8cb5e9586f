import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { type EdgeTestPlane, openEdgeTestPlane } from '../../../../test/support/planeDoubles.ts';
import { buildApp } from '../../../app.ts';
import { loadConfig } from '../../../config/config.ts';
import { checkReadiness } from './readiness.ts';

const config = loadConfig({}, { logLevel: 'silent', maxEventLoopDelayMs: 0 });

describe('health routes', () => {
  let edge: EdgeTestPlane;
  let app: FastifyInstance;

  before(async () => {
    edge = await openEdgeTestPlane();
    app = await buildApp(config, edge.plane, { logger: false });
  });

  after(async () => {
    await app.close();
    await edge.plane.close();
  });

  it('GET /healthz is 200 ok', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'ok' });
  });

  it('GET /readyz is 200 when store, kv and queue answer', async () => {
    edge.kvPing = 'ok';
    edge.queuePing = 'ok';
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'ready', checks: { store: 'ok', kv: 'ok', queue: 'ok' } });
  });

  it('GET /readyz is 503 GALLEY_NOT_READY naming the failing check', async () => {
    edge.kvPing = 'fail';
    try {
      const res = await app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(res.statusCode, 503);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      const p = res.json() as Record<string, unknown>;
      assert.equal(p.code, 'GALLEY_NOT_READY');
      assert.deepEqual(p.checks, { store: 'ok', kv: 'failed', queue: 'ok' });
      assert.match(String(p.detail), /kv failed/);
      assert.doesNotMatch(res.body, /unreachable/, 'probe error messages stay in the log');
    } finally {
      edge.kvPing = 'ok';
    }
  });

  it('GET /readyz is 503 when the store itself is down', async () => {
    const other = await openEdgeTestPlane();
    const app2 = await buildApp(config, other.plane, { logger: false });
    try {
      await other.plane.close();
      const res = await app2.inject({ method: 'GET', url: '/readyz' });
      assert.equal(res.statusCode, 503);
      assert.equal((res.json() as { checks: Record<string, string> }).checks.store, 'failed');
    } finally {
      await app2.close();
    }
  });
});

describe('checkReadiness', () => {
  it('reports a probe that does not answer in time as timeout, in parallel with the others', async () => {
    const report = await checkReadiness(
      [
        { name: 'fast', check: async () => {} },
        { name: 'hung', check: () => new Promise<void>(() => {}) },
        { name: 'broken', check: async () => Promise.reject(new Error('down')) },
      ],
      50,
    );
    assert.equal(report.ready, false);
    assert.deepEqual(report.checks, { fast: 'ok', hung: 'timeout', broken: 'failed' });
  });

  it('is ready when every probe resolves', async () => {
    const report = await checkReadiness([{ name: 'a', check: async () => {} }], 1000);
    assert.deepEqual(report, { ready: true, checks: { a: 'ok' } });
  });
});
