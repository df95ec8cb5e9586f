/**
 * Contract: the AI routes against /openapi.json on every backend, with the AI call worker running over the
 * built-in local model (no network).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config/config.ts';
import { waitUntil } from '../../src/content/webhooks/testing.ts';
import type { Worker } from '../../src/data/queue/port.ts';
import { AI_CALL_WORKER } from '../../src/intelligence/gateway/workerRegistration.ts';
import { BACKENDS } from '../support/backends.ts';
import { operationsOf } from './operations.ts';
import { type ContractSandbox, invalidBodies, openContractSandbox } from './sandbox.ts';

const T = '/api/v1/tenants/{tenant}';

for (const backend of BACKENDS) {
  describe(`contract: ai (${backend})`, () => {
    let s: ContractSandbox;
    let worker: Worker;
    before(async () => {
      s = await openContractSandbox(backend);
      const config = loadConfig({}, { aiTenantTokensPerMinute: 0 });
      worker = AI_CALL_WORKER.start(s.bench.plane, { config, metrics: s.bench.metrics });
    });
    after(async () => {
      const missing = s === undefined ? [] : operationsOf('ai').filter((key) => !s.covered.has(key));
      await worker?.close(1000);
      await s?.cleanup();
      assert.deepEqual(missing, [], 'operations assigned to ai.test.ts that no case exercised');
    });

    test('run a task, follow the job (poll and events), usage, calls, settings; refusals', async () => {
      const created = await s.call(`POST ${T}/entries`, {
        body: {
          type: 'article',
          fields: { title: 'Harbour tram line approved', body: 'The council approved the tram line on Tuesday.' },
        },
      });
      const id = created.json<{ id: string }>().id;
      const queued = await s.call(`POST ${T}/entries/{id}/ai/{task}`, { params: { id, task: 'summary' } });
      assert.equal(queued.statusCode, 202);
      const job = queued.json<{ job: { id: string } }>().job.id;
      await waitUntil('the job completes', async () => {
        const view = await s.call(`GET ${T}/ai/jobs/{job}`, { params: { job } });
        return view.json<{ state: string }>().state === 'completed';
      });
      assert.equal((await s.call(`GET ${T}/ai/jobs/{job}`, { params: { job: 'not-a-job' } })).statusCode, 404);
      assert.equal(
        (await s.call(`POST ${T}/entries/{id}/ai/{task}`, { params: { id, task: 'summary' } })).statusCode,
        200,
      );
      assert.equal(
        (await s.call(`POST ${T}/entries/{id}/ai/{task}`, { params: { id, task: 'poetry' } })).statusCode,
        404,
      );
      assert.equal(
        (await s.call(`POST ${T}/entries/{id}/ai/{task}`, { params: { id, task: 'summary' }, role: 'viewer' }))
          .statusCode,
        403,
      );

      assert.equal((await s.call(`GET ${T}/ai/usage`, { role: 'viewer' })).statusCode, 200);
      assert.equal((await s.call(`GET ${T}/ai/calls`, { query: { limit: 10 }, role: 'admin' })).statusCode, 200);
      assert.equal((await s.call(`GET ${T}/ai/calls`, { role: 'editor' })).statusCode, 403);
      const settings = { monthlyTokenCap: 5_000_000, atCap: 'refuse' };
      assert.equal((await s.call(`PATCH ${T}/ai/settings`, { body: settings, role: 'owner' })).statusCode, 200);
      for (const body of invalidBodies(s.doc, `PATCH ${T}/ai/settings`, settings)) {
        const res = await s.call(`PATCH ${T}/ai/settings`, { body, role: 'owner', invalid: true });
        assert.equal(res.statusCode, 400, JSON.stringify(body));
      }
      // Server-sent events: the 200 must be documented as text/event-stream.
      const events = await s.call(`GET ${T}/ai/jobs/{job}/events`, { params: { job } });
      assert.match(events.body, /event: completed/);
    });
  });
}
