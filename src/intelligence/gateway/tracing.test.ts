/**
 * The observability acceptance trace through the real AI path: an editor's `POST …/entries/{id}/ai/summary` on
 * buildApp over a traced data plane, the `ai.call` worker, and the model call — exported over OTLP/HTTP to an
 * in-process collector as one trace, HTTP → queue → worker → model call, carrying the GenAI and prompt attributes.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildArticleType, buildEntry, buildPrincipal, buildTenant } from '../../../test/factories.ts';
import { openTestStore, type TestStore, uniqueName } from '../../../test/support/backends.ts';
import { ancestryOf, type OtlpReceiver, startOtlpReceiver } from '../../../test/support/otlpReceiver.ts';
import { testPlane } from '../../../test/support/plane.ts';
import { buildApp } from '../../app.ts';
import { loadConfig } from '../../config/config.ts';
import type { DataPlane } from '../../data/dataPlane.ts';
import type { Worker } from '../../data/queue/port.ts';
import { openVerifyHarness, type VerifyHarness } from '../../experience/auth/verify/testHarness.ts';
import { createMetrics, type GalleyMetrics } from '../../ops/metrics/registry.ts';
import { traceDataPlane } from '../../ops/tracing/dataPlaneTracing.ts';
import { startTracing, type Tracing } from '../../ops/tracing/tracing.ts';
import { updateAiSettings } from '../budgets/aiSettingsUpdater.ts';
import { registerPromptSources } from '../prompts/promptRegistrar.ts';
import { PROMPTS_DIR } from './testing.ts';
import { AI_CALL_WORKER } from './workerRegistration.ts';

let store: TestStore;
let harness: VerifyHarness;
let receiver: OtlpReceiver;
let tracing: Tracing;
let untraced: DataPlane;
let app: FastifyInstance;
let metrics: GalleyMetrics;
let worker: Worker;
let token: string;
let url: string;
let optedInToken: string;
let optedInUrl: string;

before(async () => {
  store = await openTestStore('embedded');
  harness = await openVerifyHarness('embedded');
  receiver = await startOtlpReceiver();
  const config = loadConfig(
    {},
    { logLevel: 'silent', maxEventLoopDelayMs: 0, otlpEndpoint: receiver.url, promptsDir: PROMPTS_DIR },
  );
  tracing = startTracing(config, { serviceName: 'galley', sampleRate: 1, exportDelayMs: 60_000 });
  untraced = testPlane('embedded', store.store, uniqueName('aitrace'));
  await registerPromptSources({ store: store.store, dir: PROMPTS_DIR, actor: 'test', kv: untraced.kv });
  const plane = traceDataPlane(untraced);
  metrics = createMetrics({ collectDefault: false });
  app = await buildApp(config, plane, { logger: false, metrics, verifier: harness.newVerifier() });
  await app.ready();
  worker = AI_CALL_WORKER.start(plane, { config, metrics });
  const tenant = await buildTenant(store.store.db);
  await buildArticleType(store.store, tenant.id);
  const editor = buildPrincipal({ tenantId: tenant.id, subject: 'user-editor' });
  const entry = await buildEntry(store.store, {
    tenantId: tenant.id,
    actor: editor,
    fields: { title: 'Tram line approved', body: 'The council approved the tram line. Construction starts in 2027.' },
  });
  token = await harness.mint({ claims: { sub: 'user-editor', tid: tenant.id, role: 'editor' } });
  url = `/api/v1/tenants/${tenant.slug}/entries/${entry.id}/ai/summary`;
  // A second tenant opted in to message content on its model-call spans.
  const optedIn = await buildTenant(store.store.db);
  await buildArticleType(store.store, optedIn.id);
  await updateAiSettings({ store: store.store, tenantId: optedIn.id, change: { recordContent: true } });
  const other = await buildEntry(store.store, {
    tenantId: optedIn.id,
    actor: buildPrincipal({ tenantId: optedIn.id, subject: 'user-editor' }),
    fields: { title: 'Opted in', body: 'The harbour ferry returns in May. Tickets cost 3 euros.' },
  });
  optedInToken = await harness.mint({ claims: { sub: 'user-editor', tid: optedIn.id, role: 'editor' } });
  optedInUrl = `/api/v1/tenants/${optedIn.slug}/entries/${other.id}/ai/summary`;
});

after(async () => {
  await worker.close(1000);
  await app.close();
  metrics.close();
  await untraced.close(1000);
  await tracing.shutdown();
  await receiver.close();
  await harness.cleanup();
  await store.cleanup();
});

test('one trace links the AI route → queue → ai.call worker → model call, with prompt and model attributes', async () => {
  const response = await app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` } });
  assert.equal(response.statusCode, 202, response.body);
  const isCall = (name: string) => name === 'chat galley-local-1';
  // The consumer span ends after the model call (it covers storing and auditing): wait for both.
  const complete = (spans: readonly { name: string }[]) =>
    spans.some((s) => isCall(s.name)) && spans.some((s) => s.name === 'process ai.call');
  await receiver.waitFor((spans) => {
    if (!complete(spans)) void tracing.flush();
    return complete(spans);
  }, 20_000);
  await tracing.flush();
  const call = receiver.spans.find((s) => isCall(s.name));
  assert.ok(call);
  assert.deepEqual(ancestryOf(receiver.spans, call), [
    'POST /api/v1/tenants/:tenant/entries/:id/ai/:task',
    'send ai.call',
    'process ai.call',
    'chat galley-local-1',
  ]);
  const hash = call.attributes['galley.prompt.hash'];
  assert.match(String(hash), /^[0-9a-f]{64}$/);
  assert.equal(call.attributes['galley.prompt.key'], 'summary');
  assert.equal(call.attributes['galley.prompt.version'], 'production');
  assert.equal(call.attributes['gen_ai.operation.name'], 'chat');
  assert.equal(call.attributes['gen_ai.provider.name'], 'local');
  assert.equal(call.attributes['gen_ai.request.model'], 'galley-local-1');
  assert.equal(call.attributes['gen_ai.response.model'], 'galley-local-1');
  assert.ok(Number(call.attributes['gen_ai.usage.input_tokens']) > 0);
  assert.ok(Number(call.attributes['gen_ai.usage.output_tokens']) > 0);
  assert.equal(call.attributes['galley.flag.variant'], 'default');
  assert.equal(call.attributes['galley.tenant.tier'], 'standard');
  // No message content is recorded.
  assert.ok(!JSON.stringify(receiver.spans).includes('Construction starts in 2027'));
});

test('message content is recorded only for a tenant that opted in', async () => {
  const response = await app.inject({
    method: 'POST',
    url: optedInUrl,
    headers: { authorization: `Bearer ${optedInToken}` },
  });
  assert.equal(response.statusCode, 202, response.body);
  const recorded = (spans: readonly { attributes: Readonly<Record<string, unknown>> }[]) =>
    spans.some((s) => String(s.attributes['gen_ai.input.messages'] ?? '').includes('harbour ferry returns'));
  await receiver.waitFor((spans) => {
    if (!recorded(spans)) void tracing.flush();
    return recorded(spans);
  }, 20_000);
  const call = receiver.spans.find((s) =>
    String(s.attributes['gen_ai.input.messages'] ?? '').includes('harbour ferry'),
  );
  assert.ok(String(call?.attributes['gen_ai.output.messages']).includes('assistant'));
  // The first tenant's spans still carry none.
  assert.ok(!JSON.stringify(receiver.spans).includes('Construction starts in 2027'));
});
