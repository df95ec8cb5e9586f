/**
 * `npm run bench:ai`: figures of the model gateway on the embedded (default) or distributed backend, with the
 * built-in local model.
 *
 * 1. enqueue→start, idle: editors' AI requests sent open-loop at 50/s through the real request path
 *    (requestAiTask: flag, prompt, retrieval, safety, call key, memo check, queue); latency from the scheduled
 *    send to the moment the `ai.call` handler starts the job. p50/p95/p99.
 * 2. jobs/s through the local model: a burst of distinct calls drained by one process's worker.
 * 3. Tokens per 1,000 edits on a replayed editing trace, with and without memoization and dedupe. The trace:
 *    editors autosave entries (half of the saves change only formatting — spacing, tag order — the rest change
 *    a sentence) and after each save the editor's AI panel refreshes its suggestions (summary, tags, seo), while
 *    a colleague reviewing the same entry asks for titles and the PII check. "Without" sends every request as a
 *    fresh call (unique scope, no memo); "exact memo" is the gateway with near-duplicate reuse off; "as shipped"
 *    adds near-duplicate reuse (GALLEY_AI_REUSE_SIMILARITY and the tasks' thresholds). Memo and reuse ratios are
 *    reported too. Memoized answers are the stored result of the same call key; what reuse costs in quality is
 *    measured by `galley eval --reuse` (each golden case answered for its earliest still-reused input).
 *
 * Usage: node bench/ai.ts [--backend embedded|distributed] [--seconds 10] [--edits 1000]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config.ts';
import type { Job } from '../src/data/queue/port.ts';
import { acquireAiRuntime } from '../src/intelligence/gateway/aiRuntime.ts';
import { requestAiTask } from '../src/intelligence/gateway/aiTaskRequester.ts';
import { answerOrEnqueue } from '../src/intelligence/gateway/callAnswerer.ts';
import { enqueueCall, prepareCall } from '../src/intelligence/gateway/callPreparer.ts';
import { createModelCallHandler } from '../src/intelligence/gateway/modelCaller.ts';
import { AI_CALL_QUEUE, type ModelCallPayload } from '../src/intelligence/gateway/modelCallJob.ts';
import { aiDb } from '../src/intelligence/gateway/tables.ts';
import { PROMPTS_DIR } from '../src/intelligence/gateway/testing.ts';
import { registerPromptSources } from '../src/intelligence/prompts/promptRegistrar.ts';
import { TASK_POLICIES, type TaskName } from '../src/intelligence/tasks.ts';
import { createMetrics } from '../src/ops/metrics/registry.ts';
import { buildArticleType, buildEntry, buildPrincipal, buildTenant } from '../test/factories.ts';
import { type Backend, openTestStore, uniqueName } from '../test/support/backends.ts';
import { testPlane } from '../test/support/plane.ts';
import { deleteRedisKeys } from '../test/support/redisKeys.ts';
import { prng, sentence, vocabulary, zipfSampler } from './lib/corpus.ts';
import { formatResult, machine, openLoop } from './lib/openLoop.ts';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'embedded' },
    seconds: { type: 'string', default: '10' },
    edits: { type: 'string', default: '1000' },
  },
});
const backend: Backend = values.backend === 'distributed' ? 'distributed' : 'embedded';
const SECONDS = Number(values.seconds);
const EDITS = Number(values.edits);

const random = prng(7);
const vocab = vocabulary(4000, random);
const sample = zipfSampler(vocab.length, random);
const paragraph = (sentences: number) =>
  Array.from({ length: sentences }, () => `${sentence(12 + Math.floor(random() * 10), vocab, sample)}.`).join(' ');

const test = await openTestStore(backend);
const prefix = uniqueName('benchai');
const plane = testPlane(backend, test.store, prefix);
const config = loadConfig({}, { promptsDir: PROMPTS_DIR, aiTenantTokensPerMinute: 0, aiMonthlyTokenCap: 0 });
const metrics = createMetrics({ collectDefault: false });
await registerPromptSources({ store: test.store, dir: PROMPTS_DIR, actor: 'bench', kv: plane.kv });
const lease = await acquireAiRuntime(plane, config, metrics);
const { runtime } = lease;
const tenant = await buildTenant(test.store.db);
await buildArticleType(test.store, tenant.id);
const editors = Array.from({ length: 20 }, () => buildPrincipal({ tenantId: tenant.id, role: 'editor' }));

const started = new Map<string, () => void>();
const handler = createModelCallHandler(runtime);
const worker = plane.queue.process(
  AI_CALL_QUEUE,
  async (job: Job<unknown>, signal: AbortSignal) => {
    const payload = job.payload as ModelCallPayload;
    started.get(payload.entryId ?? '')?.();
    return handler(job, signal);
  },
  { concurrency: 4 },
);

console.log('machine', JSON.stringify(machine()), 'backend', backend);

// 1. enqueue→start, idle.
const RATE = 50;
const entries = await Promise.all(
  Array.from({ length: RATE * SECONDS + 10 }, (_, i) =>
    buildEntry(test.store, {
      tenantId: tenant.id,
      actor: editors[0],
      fields: { title: `Story ${i} ${paragraph(1)}`, body: paragraph(6) },
    }),
  ),
);
const ask = (i: number, task: TaskName) =>
  new Promise<void>((resolve, reject) => {
    const entry = entries[i];
    if (entry === undefined) return reject(new Error('no entry'));
    started.set(entry.id, resolve);
    requestAiTask({
      runtime,
      actor: editors[0] ?? buildPrincipal({ tenantId: tenant.id }),
      tenantId: tenant.id,
      entryId: entry.id,
      task,
    }).then((o) => o.kind === 'done' && resolve(), reject);
  });
for (let i = 0; i < 10; i += 1) await ask(entries.length - 1 - i, 'summary'); // warm-up
const startLatency = await openLoop({
  name: `ai enqueue→start (idle, ${RATE}/s)`,
  rate: RATE,
  durationS: SECONDS,
  op: (i) => ask(i, 'summary'),
});
console.log(formatResult(startLatency));

// 2. jobs/s through the local model.
const BURST = 1000;
const burstEntries = await Promise.all(
  Array.from({ length: BURST }, (_, i) =>
    buildEntry(test.store, {
      tenantId: tenant.id,
      actor: editors[1],
      fields: { title: `Burst ${i}`, body: paragraph(8) },
    }),
  ),
);
const prompt = await runtime.prompts.byLabel('summary', 'production');
const burstStart = performance.now();
const jobIds = await Promise.all(
  burstEntries.map((e, i) =>
    enqueueCall(
      runtime,
      prepareCall({
        tenantId: tenant.id,
        userId: 'bench',
        entryId: e.id,
        task: 'summary',
        input: { title: `Burst ${i}`, body: String(e.fields.body), tags: [] },
        prompt,
        promptLabel: 'production',
        model: 'galley-local-1',
        fallbackModel: 'galley-local-1',
        scope: 'bench:burst',
        flagVariant: 'bench',
        shadow: false,
      }),
    ),
  ),
);
for (;;) {
  const stats = await plane.queue.stats(AI_CALL_QUEUE);
  if (stats.depth === 0 && stats.active === 0) break;
  await new Promise((r) => setTimeout(r, 50));
}
const burstS = (performance.now() - burstStart) / 1000;
const jobsPerS = Math.round(jobIds.length / burstS);
console.log(`ai jobs through galley-local-1: ${jobIds.length} in ${burstS.toFixed(2)} s = ${jobsPerS} jobs/s`);

// 3. The editing trace.
interface TraceEvent {
  readonly editor: number;
  readonly entry: number;
  readonly title: string;
  readonly body: string;
  readonly tags: readonly string[];
}
function buildTrace(edits: number): { events: TraceEvent[]; entryCount: number } {
  const r = prng(11);
  const entryCount = 60;
  const state = Array.from({ length: entryCount }, (_, i) => ({
    title: `Trace story ${i}: ${sentence(6, vocab, sample)}`,
    body: paragraph(8),
    tags: ['news', `desk-${i % 5}`],
  }));
  const events: TraceEvent[] = [];
  for (let k = 0; k < edits; k += 1) {
    const entry = Math.floor(r() * entryCount);
    const s = state[entry];
    if (s === undefined) continue;
    if (r() < 0.5) {
      // Formatting-only save: spacing and tag order change, the words do not.
      s.body = r() < 0.5 ? `${s.body}  ` : s.body.replace('. ', '.  ');
      s.tags = [...s.tags].reverse();
    } else {
      s.body = `${s.body} ${sentence(10, vocab, sample)}.`;
    }
    events.push({ editor: entry % editors.length, entry, title: s.title, body: s.body, tags: s.tags });
  }
  return { events, entryCount };
}

type ReplayMode = 'none' | 'memo' | 'reuse';

/**
 * Replays the trace on a fresh tenant with its own editors. `none`: every request a fresh call (unique scope);
 * `memo`: exact memo and dedupe only (the payload carries no reuse key, as with GALLEY_AI_REUSE_SIMILARITY=1);
 * `reuse`: the gateway as shipped (callAnswerer: memo, then near-duplicate reuse, then the queue).
 */
async function replay(
  mode: ReplayMode,
): Promise<{ tokens: number; calls: number; requests: number; memoHits: number; reused: number }> {
  const { events, entryCount } = buildTrace(EDITS);
  const traceTenant = await buildTenant(test.store.db);
  await buildArticleType(test.store, traceTenant.id);
  const people = Array.from({ length: editors.length }, () =>
    buildPrincipal({ tenantId: traceTenant.id, role: 'editor' }),
  );
  const traceEntries = await Promise.all(
    Array.from({ length: entryCount }, (_, i) =>
      buildEntry(test.store, {
        tenantId: traceTenant.id,
        actor: people[i % people.length],
        fields: { title: `t${i}` },
      }),
    ),
  );
  let requests = 0;
  let n = 0;
  const panel: readonly TaskName[] = ['summary', 'tags', 'seo'];
  const reviewer: readonly TaskName[] = ['titles', 'pii'];
  for (const event of events) {
    const entry = traceEntries[event.entry];
    const editor = people[event.editor];
    const colleague = people[(event.editor + 1) % people.length];
    if (entry === undefined || editor === undefined || colleague === undefined) continue;
    const input = { title: event.title, body: event.body, tags: event.tags };
    const pending: Promise<unknown>[] = [];
    for (const [who, tasks] of [
      [editor, panel],
      [colleague, reviewer],
    ] as const) {
      for (const task of tasks) {
        requests += 1;
        n += 1;
        pending.push(
          (async () => {
            // The gateway's own steps (requestAiTask minus reading the entry and the flag).
            const prompt = await runtime.prompts.byLabel(task, 'production');
            const scope =
              mode === 'none'
                ? `nodedupe:${n}:${Math.random()}`
                : TASK_POLICIES[task].memoScope === 'tenant'
                  ? `tenant:${traceTenant.id}`
                  : `user:${who.subject}`;
            const payload = prepareCall({
              tenantId: traceTenant.id,
              userId: who.subject,
              entryId: entry.id,
              task,
              input,
              prompt,
              promptLabel: 'production',
              model: 'galley-local-1',
              fallbackModel: 'galley-local-1',
              scope,
              flagVariant: 'bench',
              shadow: false,
            });
            if (mode === 'none') return enqueueCall(runtime, payload);
            const { reuseKey: _exactOnly, ...withoutReuse } = payload;
            return answerOrEnqueue(runtime, mode === 'memo' ? withoutReuse : payload);
          })(),
        );
      }
    }
    await Promise.all(pending);
    // Editors pause between saves; let the queue drain so later requests can hit the memo.
    for (;;) {
      const stats = await plane.queue.stats(AI_CALL_QUEUE);
      if (stats.depth === 0 && stats.active === 0) break;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  const rows = await aiDb(test.store.db)
    .selectFrom('ai_calls')
    .select((eb) => [
      'status',
      eb.fn.countAll<number>().as('calls'),
      eb.fn.sum<number>('tokens_in').as('tin'),
      eb.fn.sum<number>('tokens_out').as('tout'),
    ])
    .where('tenant_id', '=', traceTenant.id)
    .groupBy('status')
    .execute();
  const answered = rows.filter((r) => r.status !== 'cached' && r.status !== 'reused');
  const count = (status: string) => Number(rows.find((r) => r.status === status)?.calls ?? 0);
  return {
    tokens: answered.reduce((sum, r) => sum + Number(r.tin ?? 0) + Number(r.tout ?? 0), 0),
    calls: answered.reduce((sum, r) => sum + Number(r.calls), 0),
    requests,
    memoHits: count('cached'),
    reused: count('reused'),
  };
}

const without = await replay('none');
const memoOnly = await replay('memo');
const withReuse = await replay('reuse');
const per1000 = (tokens: number) => Math.round((tokens / EDITS) * 1000);
const fewer = (r: { tokens: number }) => `${((1 - r.tokens / without.tokens) * 100).toFixed(1)} % fewer tokens`;
console.log(
  `editing trace (${EDITS} edits, ${without.requests} AI requests): without memo/dedupe ${without.calls} model calls, ${per1000(without.tokens)} tokens per 1,000 edits`,
);
console.log(
  `editing trace: exact memo and dedupe only: ${memoOnly.calls} model calls, ${per1000(memoOnly.tokens)} tokens per 1,000 edits; memo hit ratio ${(memoOnly.memoHits / memoOnly.requests).toFixed(3)}; ${fewer(memoOnly)}`,
);
console.log(
  `editing trace: as shipped (memo, dedupe, near-duplicate reuse): ${withReuse.calls} model calls, ${per1000(withReuse.tokens)} tokens per 1,000 edits; memo hit ratio ${(withReuse.memoHits / withReuse.requests).toFixed(3)}, reuse ratio ${(withReuse.reused / withReuse.requests).toFixed(3)}; ${fewer(withReuse)}`,
);

const report = {
  machine: machine(),
  backend,
  enqueueToStart: startLatency,
  localJobsPerS: jobsPerS,
  trace: {
    edits: EDITS,
    without,
    memoOnly,
    withReuse,
    tokensPer1000Without: per1000(without.tokens),
    tokensPer1000MemoOnly: per1000(memoOnly.tokens),
    tokensPer1000WithReuse: per1000(withReuse.tokens),
    savingRatioMemoOnly: 1 - memoOnly.tokens / without.tokens,
    savingRatioWithReuse: 1 - withReuse.tokens / without.tokens,
  },
};
const dir = path.join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
const file = path.join(dir, `ai-${backend}-${report.machine.date.replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
console.log(`wrote ${file}`);

await worker.close(2_000);
await lease.release();
await plane.close();
metrics.close();
await test.cleanup();
if (backend === 'distributed') await deleteRedisKeys(`${prefix}*`);
