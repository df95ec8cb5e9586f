/**
 * The AI routes over HTTP on every backend: queue a task (202), follow it with server-sent events and by polling,
 * get it from the memo the second time (200), read usage and the audit, change settings, and the role and
 * tenant checks.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '../../../../test/support/backends.ts';
import { loadConfig } from '../../../config/config.ts';
import type { Worker } from '../../../data/queue/port.ts';
import { PROMPTS_DIR } from '../../../intelligence/gateway/testing.ts';
import { AI_CALL_WORKER } from '../../../intelligence/gateway/workerRegistration.ts';
import { registerPromptSources } from '../../../intelligence/prompts/promptRegistrar.ts';
import { type ContentApiBench, openContentApiBench } from '../entries/testing.ts';

const ARTICLE = {
  type: 'article',
  fields: {
    title: 'Harbour tram line approved by the council',
    body: 'The council approved the new tram line on Tuesday. Construction starts in 2027. It will cost 240 million euros.',
    tags: ['transport'],
  },
};

for (const backend of BACKENDS) {
  describe(`AI routes (${backend})`, () => {
    let api: ContentApiBench;
    let worker: Worker;
    let entryId: string;
    const workerConfig = loadConfig({}, { aiTenantTokensPerMinute: 0 });
    const slug = () => api.tenant.slug;

    before(async () => {
      api = await openContentApiBench(backend);
      // `galley serve` registers the prompt sources at start-up; this bench starts from a bare store.
      await registerPromptSources({ store: api.bench.store, dir: PROMPTS_DIR, actor: 'test', kv: api.bench.plane.kv });
      worker = AI_CALL_WORKER.start(api.bench.plane, { config: workerConfig, metrics: api.bench.metrics });
      const created = await api.call('POST', `${slug()}/entries`, { body: ARTICLE });
      assert.equal(created.statusCode, 201, created.body);
      entryId = created.json<{ id: string }>().id;
    });
    after(async () => {
      await worker.close(1_000);
      await api.cleanup();
    });

    test('a task is queued (202), streams its completion, then comes from the memo (200)', async () => {
      const queued = await api.call('POST', `${slug()}/entries/${entryId}/ai/summary`);
      assert.equal(queued.statusCode, 202, queued.body);
      const job = queued.json<{ job: { id: string; url: string; events: string } }>().job;
      assert.equal(queued.headers.location, job.url);

      const stream = await api.app.inject({
        method: 'GET',
        url: job.events,
        headers: { authorization: `Bearer ${await api.token()}` },
      });
      assert.equal(stream.statusCode, 200);
      assert.match(String(stream.headers['content-type']), /text\/event-stream/);
      assert.match(stream.body, /event: completed/);

      const polled = await api.app.inject({
        method: 'GET',
        url: job.url,
        headers: { authorization: `Bearer ${await api.token()}` },
      });
      const view = polled.json<{
        state: string;
        result: { status: string; model: string; output: { summary: string } };
      }>();
      assert.equal(view.state, 'completed');
      assert.equal(view.result.status, 'ok');
      assert.equal(view.result.model, 'galley-local-1');
      assert.ok(view.result.output.summary.length > 0);

      const again = await api.call('POST', `${slug()}/entries/${entryId}/ai/summary`);
      assert.equal(again.statusCode, 200, again.body);
      assert.equal(again.json<{ status: string }>().status, 'done');
    });

    test('the event stream waits for a job that has not run yet', async () => {
      await worker.close(1_000);
      const queued = await api.call('POST', `${slug()}/entries/${entryId}/ai/seo`);
      assert.equal(queued.statusCode, 202, queued.body);
      const job = queued.json<{ job: { events: string } }>().job;
      const stream = api.app.inject({
        method: 'GET',
        url: job.events,
        headers: { authorization: `Bearer ${await api.token()}` },
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      worker = AI_CALL_WORKER.start(api.bench.plane, { config: workerConfig, metrics: api.bench.metrics });
      const response = await stream;
      assert.match(response.body, /: waiting\n\nevent: completed\n/);
    });

    test('usage, audit and settings', async () => {
      const usage = await api.call('GET', `${slug()}/ai/usage`, { role: 'viewer' });
      assert.equal(usage.statusCode, 200, usage.body);
      const u = usage.json<{
        tokens: { used: number; cap: number };
        byTaskAndModel: { task: string; calls: number }[];
      }>();
      assert.ok(u.tokens.used > 0);
      assert.ok(u.byTaskAndModel.some((l) => l.task === 'summary' && l.calls >= 2));

      assert.equal((await api.call('GET', `${slug()}/ai/calls`, { role: 'editor' })).statusCode, 403);
      const calls = await api.call('GET', `${slug()}/ai/calls?limit=10`, { role: 'admin' });
      assert.equal(calls.statusCode, 200, calls.body);
      const statuses = calls.json<{ items: { status: string; cacheHit: boolean }[] }>().items.map((c) => c.status);
      assert.ok(statuses.includes('ok') && statuses.includes('cached'), statuses.join(','));

      const changed = await api.call('PATCH', `${slug()}/ai/settings`, {
        role: 'owner',
        body: { monthlyTokenCap: 5_000_000, atCap: 'refuse', tier: 'enterprise' },
      });
      assert.equal(changed.statusCode, 200, changed.body);
      assert.equal(changed.json<{ tokens: { cap: number } }>().tokens.cap, 5_000_000);
      assert.equal(
        (await api.call('PATCH', `${slug()}/ai/settings`, { role: 'editor', body: { atCap: 'fallback' } })).statusCode,
        403,
      );
    });

    test('roles, tenants and unknown tasks', async () => {
      const viewer = await api.call('POST', `${slug()}/entries/${entryId}/ai/titles`, { role: 'viewer' });
      assert.equal(viewer.statusCode, 403);
      const foreign = await api.call('POST', `${slug()}/entries/${entryId}/ai/titles`, { tenantId: api.other.id });
      assert.equal(foreign.statusCode, 404);
      const unknown = await api.call('POST', `${slug()}/entries/${entryId}/ai/poetry`);
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.json<{ code: string }>().code, 'GALLEY_AI_TASK_UNKNOWN');
      assert.match(String(unknown.headers['content-type']), /application\/problem\+json/);
      const noJob = await api.call('GET', `${slug()}/ai/jobs/not-a-job`);
      assert.equal(noJob.statusCode, 404);
    });
  });
}
