import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { addressMatcher, METRICS_PATH, type MetricsRouteOptions, metricsRoutePlugin } from './metricsRoute.ts';
import { createMetrics } from './registry.ts';

/** A bare app (no problem handler: Fastify renders the GalleyError's status itself). */
async function withRoute(
  options: Omit<MetricsRouteOptions, 'metrics'>,
  run: (
    inject: (init?: { ip?: string; authorization?: string }) => Promise<{ status: number; body: string }>,
  ) => Promise<void>,
): Promise<void> {
  const metrics = createMetrics({ collectDefault: false });
  const app = Fastify({ logger: false });
  await app.register(metricsRoutePlugin, { metrics, ...options });
  try {
    await run(async (init = {}) => {
      const response = await app.inject({
        url: METRICS_PATH,
        ...(init.ip === undefined ? {} : { remoteAddress: init.ip }),
        headers: init.authorization === undefined ? {} : { authorization: init.authorization },
      });
      return { status: response.statusCode, body: response.body };
    });
  } finally {
    await app.close();
    metrics.close();
  }
}

describe('GET /metrics', () => {
  it('serves the registry when no protection is configured', async () => {
    await withRoute({}, async (inject) => {
      const { status, body } = await inject();
      assert.equal(status, 200);
      assert.match(body, /^# HELP galley_http_requests_total /m);
    });
  });

  it('requires the scrape token as a Bearer credential', async () => {
    await withRoute({ token: 's3cret-token' }, async (inject) => {
      assert.equal((await inject()).status, 401);
      assert.equal((await inject({ authorization: 'Bearer wrong' })).status, 401);
      assert.equal((await inject({ authorization: 'Basic s3cret-token' })).status, 401);
      assert.equal((await inject({ authorization: 'Bearer s3cret-token-and-more' })).status, 401);
      assert.equal((await inject({ authorization: 'Bearer s3cret-token' })).status, 200);
      assert.equal((await inject({ authorization: 'bearer s3cret-token' })).status, 200);
    });
  });

  it('refuses addresses outside the allow-list with 403', async () => {
    await withRoute({ allow: ['10.0.0.0/8', '127.0.0.1', 'fd00::/8'] }, async (inject) => {
      assert.equal((await inject({ ip: '10.4.5.6' })).status, 200);
      assert.equal((await inject({ ip: '::ffff:10.4.5.6' })).status, 200);
      assert.equal((await inject({ ip: '127.0.0.1' })).status, 200);
      assert.equal((await inject({ ip: 'fd12::1' })).status, 200);
      assert.equal((await inject({ ip: '11.0.0.1' })).status, 403);
      assert.equal((await inject({ ip: '127.0.0.2' })).status, 403);
      assert.equal((await inject({ ip: '2001:db8::1' })).status, 403);
    });
  });

  it('applies both checks when both are configured', async () => {
    await withRoute({ allow: ['192.168.0.0/16'], token: 'tok' }, async (inject) => {
      assert.equal((await inject({ ip: '192.168.1.1', authorization: 'Bearer tok' })).status, 200);
      assert.equal((await inject({ ip: '192.168.1.1' })).status, 401);
      assert.equal((await inject({ ip: '10.0.0.1', authorization: 'Bearer tok' })).status, 403);
    });
  });
});

describe('addressMatcher', () => {
  it('rejects entries that are not addresses or CIDR ranges', () => {
    for (const bad of ['10.0.', '10.0.0.0/33', 'fd00::/129', 'localhost', '10.0.0.0/8/1', '10.0.0.0/x']) {
      assert.throws(() => addressMatcher([bad]), /not an IP address or CIDR range/, bad);
    }
  });

  it('matches single addresses exactly and ranges by prefix', () => {
    const allowed = addressMatcher(['::1', '172.16.0.0/12']);
    assert.equal(allowed('::1'), true);
    assert.equal(allowed('::2'), false);
    assert.equal(allowed('172.31.255.255'), true);
    assert.equal(allowed('172.32.0.0'), false);
    assert.equal(allowed('not-an-ip'), false);
  });
});
