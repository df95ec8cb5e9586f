import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { type EdgeTestPlane, openEdgeTestPlane } from '../../../test/support/planeDoubles.ts';
import { buildApp } from '../../app.ts';
import { loadConfig } from '../../config/config.ts';
import { OVERLOADED_RETRY_AFTER_SECONDS } from './loadShedding.ts';

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // Deliberately block the event loop.
  }
}

describe('load shedding', () => {
  let edge: EdgeTestPlane;
  let app: FastifyInstance;

  before(async () => {
    edge = await openEdgeTestPlane();
    app = await buildApp(loadConfig({}, { logLevel: 'silent', maxEventLoopDelayMs: 20 }), edge.plane, {
      logger: false,
    });
    app.get('/test/work', async () => ({ done: true }));
    await app.ready();
  });

  after(async () => {
    await app.close();
    await edge.plane.close();
  });

  it('sheds with 503 GALLEY_OVERLOADED + Retry-After while the loop is blocked, but health routes still answer', async () => {
    const deadline = Date.now() + 30_000;
    let shed: Awaited<ReturnType<FastifyInstance['inject']>> | undefined;
    // Keep the loop mostly blocked so the sampled mean delay rises above the threshold, then probe between blocks.
    while (shed === undefined && Date.now() < deadline) {
      busy(200);
      await yieldToLoop();
      const res = await app.inject({ method: 'GET', url: '/test/work' });
      if (res.statusCode === 503) shed = res;
      else assert.equal(res.statusCode, 200);
    }
    assert.ok(shed, 'a request was shed before the deadline');
    assert.equal(shed.headers['retry-after'], String(OVERLOADED_RETRY_AFTER_SECONDS));
    assert.match(String(shed.headers['content-type']), /^application\/problem\+json/);
    assert.equal((shed.json() as { code: string }).code, 'GALLEY_OVERLOADED');

    const live = await app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(live.statusCode, 200);
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200);
  });

  it('recovers once the loop is free again', async () => {
    const deadline = Date.now() + 30_000;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await app.inject({ method: 'GET', url: '/test/work' })).statusCode;
      if (status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(status, 200);
  });
});

describe('load shedding disabled', () => {
  it('never sheds when maxEventLoopDelayMs is 0', async () => {
    const edge = await openEdgeTestPlane();
    const app = await buildApp(loadConfig({}, { logLevel: 'silent', maxEventLoopDelayMs: 0 }), edge.plane, {
      logger: false,
    });
    try {
      app.get('/test/work', async () => ({ done: true }));
      for (let i = 0; i < 8; i += 1) {
        busy(200);
        await yieldToLoop();
        assert.equal((await app.inject({ method: 'GET', url: '/test/work' })).statusCode, 200);
      }
    } finally {
      await app.close();
      await edge.plane.close();
    }
  });
});
