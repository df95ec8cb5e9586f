/**
 * The gateway end to end on every backend: each task through the queue on the local model and on an
 * OpenAI-compatible server (real SDK, real HTTP), memoization and dedupe, flags wrapping every task, flag
 * changes without restart, fallback when the provider is down or slow, and budgets under concurrency.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Value } from 'typebox/value';
import { BACKENDS } from '../../../test/support/backends.ts';
import { isGalleyError } from '../../experience/errors/errors.ts';
import { aiFlagKey } from '../flags/definition.ts';
import { TASK_NAMES, TASK_OUTPUT_SCHEMAS, type TaskName } from '../tasks.ts';
import { aiDb } from './tables.ts';
import { type AiBench, openAiBench, TEST_TIMEOUT_MS } from './testing.ts';

const ARTICLE = {
  title: 'City council approves new tram line to the harbour district',
  body: [
    'The city council voted 31 to 12 on Tuesday to build a new tram line linking the central station with the harbour district.',
    'Construction is expected to start in spring 2027 and cost about 240 million euros, according to the transport department.',
    'Residents of the harbour district have campaigned for a direct connection for more than a decade.',
    'Opponents argued that the money would be better spent on bus services in the northern suburbs.',
    'Contact the press office at press@city.example or +49 30 1234 5678 for details.',
  ].join(' '),
  tags: ['transport', 'council'],
};

async function setFlag(bench: AiBench, task: TaskName, value: Record<string, unknown>) {
  await bench.runtime.flags.setFlag(
    {
      key: aiFlagKey(task),
      default: { mode: 'on', label: 'production', model: 'galley-local-1', fallbackModel: 'galley-local-1', ...value },
      rules: [],
    },
    'test',
  );
}

for (const backend of BACKENDS) {
  describe(`model gateway (${backend})`, () => {
    let bench: AiBench;
    before(async () => {
      bench = await openAiBench(backend);
      bench.startWorker();
    });
    after(async () => {
      await bench.cleanup();
    });

    test('every task runs end to end on the local model, then answers from the memo', async () => {
      for (const task of TASK_NAMES) {
        const entry = await bench.entry(ARTICLE);
        const first = await bench.ask(entry.id, task);
        assert.equal(first.kind, 'queued', task);
        if (first.kind !== 'queued') continue;
        const result = await bench.result(first.jobId);
        assert.equal(result.status, 'ok', `${task}: ${result.error ?? ''}`);
        assert.equal(result.model, 'galley-local-1');
        assert.ok(Value.Check(TASK_OUTPUT_SCHEMAS[task], result.output), `${task} output matches its schema`);
        const again = await bench.ask(entry.id, task);
        assert.equal(again.kind, 'done', `${task} is memoized`);
      }
    });

    test('a flag switched off refuses every task, and switching the model needs no restart', async () => {
      const entry = await bench.entry(ARTICLE);
      for (const task of TASK_NAMES) {
        await setFlag(bench, task, { mode: 'off' });
        await assert.rejects(
          bench.ask(entry.id, task),
          (e: unknown) => isGalleyError(e) && e.code === 'GALLEY_AI_TASK_DISABLED',
          `${task} must not run with its flag off`,
        );
      }
      bench.server.clearRequests();
      await setFlag(bench, 'summary', { model: 'gpt-4o-mini' });
      const out = await bench.ask(entry.id, 'summary');
      assert.equal(out.kind, 'queued');
      if (out.kind !== 'queued') return;
      const result = await bench.result(out.jobId);
      assert.equal(result.status, 'ok', result.error);
      assert.equal(result.model, 'gpt-4o-mini');
      assert.equal(bench.server.requests.length, 1);
      for (const task of TASK_NAMES) await setFlag(bench, task, {});
    });

    test('the same request twice is one job and one model call', async () => {
      await setFlag(bench, 'titles', { model: 'gpt-4o-mini' });
      bench.server.clearRequests();
      bench.server.latency(200);
      const entry = await bench.entry({ ...ARTICLE, title: `${ARTICLE.title} (dedupe)` });
      const ask = () => bench.ask(entry.id, 'titles');
      const [a, b] = await Promise.all([ask(), ask()]);
      assert.equal(a.kind, 'queued');
      assert.equal(b.kind, 'queued');
      if (a.kind !== 'queued' || b.kind !== 'queued') return;
      assert.equal(a.jobId, b.jobId);
      await bench.result(a.jobId);
      const c = await ask();
      assert.equal(c.kind, 'done');
      assert.equal(bench.server.requests.length, 1);
      const stored = await aiDb(bench.test.store.db)
        .selectFrom('ai_results')
        .select('call_key')
        .where('call_key', '=', a.callKey)
        .execute();
      assert.equal(stored.length, 1);
      bench.server.reset();
      await setFlag(bench, 'titles', {});
    });

    test('provider down or 10x slower: the task falls back to the local model within its timeout', async () => {
      await setFlag(bench, 'seo', { model: 'gpt-4o-mini', fallbackModel: 'galley-local-1' });
      await bench.server.down();
      const down = await bench.entry({ ...ARTICLE, title: `${ARTICLE.title} (down)` });
      const a = await bench.ask(down.id, 'seo');
      assert.equal(a.kind, 'queued');
      if (a.kind !== 'queued') return;
      const r1 = await bench.result(a.jobId);
      assert.equal(r1.status, 'fallback');
      assert.equal(r1.model, 'galley-local-1');
      assert.ok(r1.latencyMs < TEST_TIMEOUT_MS, `fell back in ${r1.latencyMs} ms`);
      await bench.server.up();

      bench.server.latency(TEST_TIMEOUT_MS * 10);
      const slow = await bench.entry({ ...ARTICLE, title: `${ARTICLE.title} (slow)` });
      const b = await bench.ask(slow.id, 'seo');
      assert.equal(b.kind, 'queued');
      if (b.kind !== 'queued') return;
      const r2 = await bench.result(b.jobId);
      assert.equal(r2.status, 'fallback');
      assert.ok(r2.latencyMs <= TEST_TIMEOUT_MS + 500, `answered in ${r2.latencyMs} ms`);
      bench.server.reset();
      await setFlag(bench, 'seo', {});
    });

    test('a flag naming a model whose provider is not configured falls back instead of failing the job', async () => {
      await setFlag(bench, 'titles', { model: 'claude-haiku-4-5' });
      const entry = await bench.entry({ ...ARTICLE, title: `${ARTICLE.title} (unconfigured)` });
      const result = await bench.answer(entry.id, 'titles');
      assert.equal(result.status, 'fallback');
      assert.equal(result.model, 'galley-local-1');
      await setFlag(bench, 'titles', {});
    });

    test('100 concurrent calls at 99 % of the cap never settle past it', async () => {
      const cap = 100_000;
      await aiDb(bench.test.store.db)
        .insertInto('ai_tenant_settings')
        .values({
          tenant_id: bench.tenantId,
          tier: 'standard',
          monthly_token_cap: cap,
          monthly_cost_cap_micros: null,
          at_cap: 'fallback',
          redact_pii: 0,
          updated_at: new Date().toISOString(),
        })
        .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ monthly_token_cap: cap }))
        .execute();
      bench.runtime.settings.forget(bench.tenantId);
      const before = await bench.runtime.budgets.usage(bench.tenantId);
      const month = before.month;
      await bench.plane.kv.increment(`aibudget:${bench.tenantId}:${month}:tokens`, cap * 0.99 - before.tokens);
      await setFlag(bench, 'tags', { model: 'gpt-4o-mini' });
      const entries = await Promise.all(
        Array.from({ length: 100 }, (_, i) => bench.entry({ ...ARTICLE, title: `${ARTICLE.title} ${i}` })),
      );
      const outcomes = await Promise.all(entries.map((e) => bench.ask(e.id, 'tags')));
      const results = await Promise.all(
        outcomes.map((o) => (o.kind === 'queued' ? bench.result(o.jobId, 60_000) : Promise.resolve(o.result))),
      );
      const usage = await bench.runtime.budgets.usage(bench.tenantId);
      assert.ok(usage.tokens <= cap, `settled ${usage.tokens} > cap ${cap}`);
      assert.ok(
        results.some((r) => r.status === 'fallback' && r.model === 'galley-local-1'),
        'calls past the cap fell back',
      );
      assert.ok(results.every((r) => r.status === 'ok' || r.status === 'fallback'));
      await setFlag(bench, 'tags', {});
    });
  });
}
