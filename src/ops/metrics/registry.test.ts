import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { register as globalRegistry } from 'prom-client';
import { createMemoryCacheProvider } from '../../data/cache/memory/memoryCache.ts';
import type { QueueStats } from '../../data/queue/port.ts';
import { parseExposition, sumSamples } from './exposition.ts';
import { BoundedLabel, methodLabel, OVERFLOW_LABEL, statusClass, tierLabel } from './labels.ts';
import { createMetrics } from './registry.ts';

const STATS: QueueStats = { depth: 3, active: 1, deadLettered: 0, oldestAgeMs: 4500 };

async function samples(metrics: ReturnType<typeof createMetrics>) {
  return parseExposition(await metrics.scrape());
}

describe('createMetrics', () => {
  it('gives each app its own registry and never touches the global one', async () => {
    const before = (await globalRegistry.metrics()).length;
    const one = createMetrics({ collectDefault: true });
    const two = createMetrics({ collectDefault: true });
    try {
      one.recordRefresh('rotated');
      assert.equal(sumSamples(await samples(one), 'galley_auth_refreshes_total'), 1);
      assert.equal(sumSamples(await samples(two), 'galley_auth_refreshes_total'), 0);
      assert.equal((await globalRegistry.metrics()).length, before);
    } finally {
      one.close();
      two.close();
    }
  });

  it('reads cache stats at scrape time, per cache', async () => {
    const caches = createMemoryCacheProvider();
    const metrics = createMetrics({ collectDefault: false, sources: { caches } });
    try {
      const flags = caches.create<number>('flags', { max: 10, ttlMs: 60_000 });
      await flags.set('k', 1);
      for (const key of ['k', 'k', 'x', 'k', 'y']) await flags.get(key);
      let scraped = await samples(metrics);
      assert.equal(sumSamples(scraped, 'galley_cache_hits_total', { cache: 'flags' }), 3);
      assert.equal(sumSamples(scraped, 'galley_cache_misses_total', { cache: 'flags' }), 2);
      await flags.get('k');
      scraped = await samples(metrics);
      assert.equal(sumSamples(scraped, 'galley_cache_hits_total', { cache: 'flags' }), 4, 'counters do not double');
    } finally {
      metrics.close();
      await caches.close();
    }
  });

  it('keeps scraping when a source throws, hangs or rejects, and counts the failure', async () => {
    let release: () => void = () => undefined;
    const reported: string[] = [];
    const metrics = createMetrics({
      collectDefault: false,
      sourceTimeoutMs: 50,
      onCollectError: (source) => {
        reported.push(source);
        throw new Error('the logger itself fails');
      },
      sources: {
        caches: {
          all: () => {
            throw new Error('cache registry broken');
          },
        },
        pool: () => {
          throw new Error('pool broken');
        },
        queues: {
          names: ['ok', 'hangs', 'rejects'],
          stats: (name) => {
            if (name === 'ok') return Promise.resolve(STATS);
            if (name === 'rejects') return Promise.reject(new Error('redis down'));
            return new Promise((resolve) => {
              release = () => resolve(STATS);
            });
          },
        },
      },
    });
    try {
      const scraped = await samples(metrics);
      assert.equal(sumSamples(scraped, 'galley_queue_depth', { queue: 'ok' }), 3);
      assert.equal(sumSamples(scraped, 'galley_queue_oldest_age_seconds', { queue: 'ok' }), 4.5);
      assert.equal(scraped.filter((s) => s.name === 'galley_queue_depth').length, 1, 'failed queues are left out');
      assert.equal(scraped.filter((s) => s.name === 'galley_cache_hits_total').length, 0);
      assert.equal(scraped.filter((s) => s.name === 'galley_store_pool_connections').length, 0);
      assert.equal(sumSamples(scraped, 'galley_metrics_collect_errors_total', { source: 'queue' }), 2);
      assert.ok(sumSamples(scraped, 'galley_metrics_collect_errors_total', { source: 'cache' }) >= 1);
      assert.equal(sumSamples(scraped, 'galley_metrics_collect_errors_total', { source: 'pool' }), 1);
      assert.deepEqual(new Set(reported), new Set(['cache', 'pool', 'queue']));
    } finally {
      release();
      metrics.close();
    }
  });

  it('measures worker busy ratio and job outcomes through instrumentJob', async () => {
    const metrics = createMetrics({ collectDefault: false });
    try {
      const handler = metrics.instrumentJob('mail', 4, async (job: { payload: number }) => {
        if (job.payload < 0) throw new Error('bad');
        await new Promise((resolve) => setTimeout(resolve, 30));
        return job.payload;
      });
      const run = (payload: number, signal = new AbortController().signal) =>
        handler({ id: 'j', queue: 'mail', payload, attempt: 1, maxAttempts: 1, enqueuedAt: Date.now() }, signal);
      await samples(metrics); // starts the busy window
      await Promise.all([run(1), run(2)]);
      await assert.rejects(run(-1));
      const aborted = new AbortController();
      aborted.abort();
      await assert.rejects(run(-1, aborted.signal));
      const scraped = await samples(metrics);
      const ratio = sumSamples(scraped, 'galley_worker_busy_ratio', { queue: 'mail' });
      assert.ok(ratio > 0 && ratio <= 1, `busy ratio ${ratio}`);
      assert.equal(sumSamples(scraped, 'galley_worker_concurrency', { queue: 'mail' }), 4);
      assert.ok(sumSamples(scraped, 'galley_worker_busy_seconds_total', { queue: 'mail' }) >= 0.05);
      assert.equal(sumSamples(scraped, 'galley_queue_jobs_total', { outcome: 'completed' }), 2);
      assert.equal(sumSamples(scraped, 'galley_queue_jobs_total', { outcome: 'failed' }), 1);
      assert.equal(sumSamples(scraped, 'galley_queue_jobs_total', { outcome: 'cancelled' }), 1);
    } finally {
      metrics.close();
    }
  });

  it('folds unknown tiers, outcomes and reasons, and drops nonsensical amounts without throwing', async () => {
    const metrics = createMetrics({ collectDefault: false });
    try {
      metrics.recordAiCall({
        task: 'title',
        model: 'm',
        tier: 'tenant_0f3a',
        outcome: 'boom' as 'ok',
        inputTokens: Number.NaN,
        outputTokens: -4,
        costUsd: Number.POSITIVE_INFINITY,
        seconds: -1,
      });
      metrics.recordLogin({
        provider: 'password',
        outcome: 'failure',
        reason: 'wrong pw for bob' as 'denied',
        seconds: 1,
      });
      metrics.recordBudgetWarning('enterprise', 0.42);
      metrics.recordHttp({ method: 'BREW', route: undefined, statusCode: 999, seconds: Number.NaN });
      const scraped = await samples(metrics);
      assert.equal(sumSamples(scraped, 'galley_ai_calls_total', { tier: 'unknown', outcome: OVERFLOW_LABEL }), 1);
      assert.equal(scraped.filter((s) => s.name === 'galley_ai_tokens_total').length, 0);
      assert.equal(scraped.filter((s) => s.name === 'galley_ai_cost_usd_total').length, 0);
      assert.equal(sumSamples(scraped, 'galley_auth_logins_total', { reason: OVERFLOW_LABEL }), 1);
      assert.equal(sumSamples(scraped, 'galley_ai_budget_warnings_total', { level: OVERFLOW_LABEL }), 1);
      assert.equal(
        sumSamples(scraped, 'galley_http_requests_total', {
          method: 'OTHER',
          route: 'unmatched',
          status_class: 'other',
        }),
        1,
      );
      assert.equal(sumSamples(scraped, 'galley_http_request_duration_seconds_count'), 0);
    } finally {
      metrics.close();
    }
  });
});

describe('label guards', () => {
  it('caps a bounded label and rejects malformed values', () => {
    const label = new BoundedLabel({ max: 3, maxLength: 10 });
    assert.deepEqual(
      ['a', 'b', 'a', 'c', 'd', 'e'].map((v) => label.value(v)),
      ['a', 'b', 'a', 'c', 'other', 'other'],
    );
    assert.equal(label.value('c'), 'c', 'admitted values stay admitted');
    assert.equal(label.value('x'.repeat(11)), OVERFLOW_LABEL);
    assert.equal(label.value('has space'), OVERFLOW_LABEL);
    assert.equal(label.value('quote"'), OVERFLOW_LABEL);
    assert.equal(label.value(undefined), OVERFLOW_LABEL);
    assert.equal(label.size, 3);
  });

  it('maps methods, status codes and tiers onto fixed vocabularies', () => {
    assert.equal(methodLabel('GET'), 'GET');
    assert.equal(methodLabel('get'), 'OTHER');
    assert.equal(methodLabel('PROPFIND'), 'OTHER');
    assert.deepEqual([101, 200, 304, 429, 503, 99, 600, 2.5].map(statusClass), [
      '1xx',
      '2xx',
      '3xx',
      '4xx',
      '5xx',
      'other',
      'other',
      'other',
    ]);
    assert.equal(tierLabel('enterprise'), 'enterprise');
    assert.equal(tierLabel('acme-corp'), 'unknown');
    assert.equal(tierLabel(undefined), 'unknown');
  });
});
