import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import Fastify, { type FastifyInstance } from 'fastify';
import { parseExposition, type Sample, sumSamples } from './exposition.ts';
import { httpMetricsPlugin } from './httpMetrics.ts';
import { HTTP_METHODS, STATUS_CLASSES, UNMATCHED_ROUTE } from './labels.ts';
import { metricsRoutePlugin } from './metricsRoute.ts';
import { createMetrics, type GalleyMetrics } from './registry.ts';

const ENTRY = '/api/v1/tenants/:tenant/entries/:id';
const ENTRIES = '/api/v1/tenants/:tenant/entries';
const DELIVERY = '/cdn/v1/:tenant/entries/:idOrSlug';
const TEMPLATES = [ENTRY, ENTRIES, DELIVERY, '/api/v1/boom', '/metrics'];

/** A bare Fastify app with the plugin, a few routes shaped like Galley's, and /metrics. */
async function buildTestApp(metrics: GalleyMetrics): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  await app.register(httpMetricsPlugin, { metrics });
  await app.register(
    async (api) => {
      api.get('/tenants/:tenant/entries/:id', async (request, reply) => {
        const { id } = request.params as { id: string };
        if (id.startsWith('missing')) return reply.code(404).send({ missing: id });
        return { id };
      });
      api.post('/tenants/:tenant/entries', async (_request, reply) => reply.code(201).send({ ok: true }));
      api.get('/boom', async () => {
        throw new Error('boom');
      });
    },
    { prefix: '/api/v1' },
  );
  app.get(DELIVERY, async (_request, reply) => reply.code(304).send());
  await app.register(metricsRoutePlugin, { metrics });
  return app;
}

async function scrape(app: FastifyInstance): Promise<Sample[]> {
  const response = await app.inject({ url: '/metrics' });
  assert.equal(response.statusCode, 200);
  assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  return parseExposition(response.body);
}

async function times(count: number, send: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < count; i += 1) await send(i);
}

describe('httpMetricsPlugin', () => {
  it('counts requests per route template, method and status class, and times each one', async () => {
    const metrics = createMetrics({ collectDefault: false });
    const app = await buildTestApp(metrics);
    try {
      await times(7, (i) => app.inject({ url: `/api/v1/tenants/t${i}/entries/e${i}` }));
      await times(2, (i) => app.inject({ url: `/api/v1/tenants/t${i}/entries/missing-${i}` }));
      await times(3, (i) => app.inject({ method: 'POST', url: `/api/v1/tenants/t${i}/entries`, payload: {} }));
      await times(2, () => app.inject({ url: '/api/v1/boom' }));
      await times(4, (i) => app.inject({ url: `/cdn/v1/t${i}/entries/slug-${i}` }));
      await times(5, (i) => app.inject({ url: `/nowhere/${i}` }));
      await times(1, () => app.inject({ method: 'DELETE', url: '/api/v1/boom' }));

      const samples = await scrape(app);
      const requests = (labels: Record<string, string>) => sumSamples(samples, 'galley_http_requests_total', labels);
      assert.equal(requests({ method: 'GET', route: ENTRY, status_class: '2xx' }), 7);
      assert.equal(requests({ method: 'GET', route: ENTRY, status_class: '4xx' }), 2);
      assert.equal(requests({ method: 'POST', route: ENTRIES, status_class: '2xx' }), 3);
      assert.equal(requests({ method: 'GET', route: '/api/v1/boom', status_class: '5xx' }), 2);
      assert.equal(requests({ method: 'GET', route: DELIVERY, status_class: '3xx' }), 4);
      assert.equal(requests({ method: 'GET', route: UNMATCHED_ROUTE, status_class: '4xx' }), 5);
      assert.equal(requests({ method: 'DELETE', route: UNMATCHED_ROUTE, status_class: '4xx' }), 1);
      assert.equal(requests({}), 24, 'the scrape itself is counted only after it is served');

      const count = (labels: Record<string, string>) =>
        sumSamples(samples, 'galley_http_request_duration_seconds_count', labels);
      assert.equal(count({ method: 'GET', route: ENTRY }), 9);
      assert.equal(count({ method: 'POST', route: ENTRIES }), 3);
      assert.equal(count({ method: 'GET', route: DELIVERY }), 4);
      assert.equal(count({}), 24);
      const infBucket = sumSamples(samples, 'galley_http_request_duration_seconds_bucket', { le: '+Inf' });
      assert.equal(infBucket, 24);
      assert.ok(sumSamples(samples, 'galley_http_request_duration_seconds_sum') > 0);

      const after = await scrape(app);
      assert.equal(sumSamples(after, 'galley_http_requests_total', { route: '/metrics', status_class: '2xx' }), 1);
    } finally {
      await app.close();
      metrics.close();
    }
  });

  it('keeps every label value bounded however many distinct URLs, tenants and methods arrive', async () => {
    const metrics = createMetrics({ collectDefault: false });
    const app = await buildTestApp(metrics);
    const sent = new Set<string>();
    const segment = fc
      .string({ minLength: 1, maxLength: 24 })
      // A marker no label vocabulary contains, so any leak is unambiguous.
      .map((raw) => `ZQ-${raw}`);
    try {
      await fc.assert(
        fc.asyncProperty(
          segment,
          segment,
          fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'PROPFIND', 'MKCOL'),
          fc.constantFrom('entry', 'entries', 'delivery', 'raw'),
          async (tenant, id, method, shape) => {
            sent.add(tenant);
            sent.add(id);
            const t = encodeURIComponent(tenant);
            const i = encodeURIComponent(id);
            const url = {
              entry: `/api/v1/tenants/${t}/entries/${i}?q=${i}`,
              entries: `/api/v1/tenants/${t}/entries`,
              delivery: `/cdn/v1/${t}/entries/${i}`,
              raw: `/${t}/${i}/x`,
            }[shape];
            await app.inject({ method: method as 'GET', url });
          },
        ),
        { numRuns: 400, seed: 7 },
      );
      for (let n = 0; n < 50; n += 1) {
        sent.add(`ZQ-tenant-${n}`).add(`ZQ-entry-${n}`);
        await app.inject({ url: `/api/v1/tenants/ZQ-tenant-${n}/entries/ZQ-entry-${n}` });
      }

      const text = await metrics.scrape();
      const samples = parseExposition(text);
      const http = samples.filter((sample) => sample.name.startsWith('galley_http_'));
      const values = (label: string) => new Set(http.map((s) => s.labels[label]).filter((v) => v !== undefined));
      const allowedRoutes = new Set([...TEMPLATES, UNMATCHED_ROUTE]);
      for (const route of values('route')) assert.ok(allowedRoutes.has(route), `unexpected route label ${route}`);
      for (const method of values('method')) {
        assert.ok([...HTTP_METHODS, 'OTHER'].includes(method), `unexpected method label ${method}`);
      }
      for (const statusClass of values('status_class')) {
        assert.ok((STATUS_CLASSES as readonly string[]).includes(statusClass));
      }
      assert.ok(values('method').has('OTHER'), 'non-standard verbs fold into OTHER');

      // No label value anywhere in the registry carries a tenant or id that was sent.
      const labelValues = new Set(samples.flatMap((sample) => Object.values(sample.labels)));
      for (const raw of sent) {
        for (const value of labelValues) assert.ok(!value.includes(raw), `label value "${value}" leaks "${raw}"`);
      }
      // 5 templates + unmatched, 8 methods, 5 classes bound the request counter however much traffic there was.
      const series = samples.filter((sample) => sample.name === 'galley_http_requests_total');
      assert.ok(series.length <= 6 * 8 * 5, `${series.length} request series`);
    } finally {
      await app.close();
      metrics.close();
    }
  });
});
