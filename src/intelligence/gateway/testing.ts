/**
 * A test bench for the gateway on one backend: a migrated store, a full data plane on it, a local
 * OpenAI-compatible model server (test/support/modelServer.ts) configured as the `openai` provider, the AI
 * runtime, a tenant with the article type and an editor, and an `ai.call` worker with short leases and
 * timeouts. Everything real: only the remote model is a local protocol peer.
 */
import path from 'node:path';
import { buildArticleType, buildEntry, buildPrincipal, buildTenant } from '../../../test/factories.ts';
import { type Backend, openTestStore, type TestStore, uniqueName } from '../../../test/support/backends.ts';
import { type ModelServer, startModelServer } from '../../../test/support/modelServer.ts';
import { testPlane } from '../../../test/support/plane.ts';
import { deleteRedisKeys } from '../../../test/support/redisKeys.ts';
import { type Config, loadConfig } from '../../config/config.ts';
import type { Entry } from '../../content/entries/types.ts';
import type { DataPlane } from '../../data/dataPlane.ts';
import type { Worker } from '../../data/queue/port.ts';
import type { Principal } from '../../experience/auth/principal.ts';
import { createMetrics, type GalleyMetrics } from '../../ops/metrics/registry.ts';
import { registerPromptSources } from '../prompts/promptRegistrar.ts';
import type { TaskName } from '../tasks.ts';
import { type AiRuntime, type AiRuntimeLease, acquireAiRuntime } from './aiRuntime.ts';
import { requestAiTask } from './aiTaskRequester.ts';
import type { AiTaskOutcome } from './callAnswerer.ts';
import { waitForJob } from './jobCompletions.ts';
import { createModelCallHandler } from './modelCaller.ts';
import { AI_CALL_QUEUE, type ModelCallResult } from './modelCallJob.ts';

/** The repository's prompt sources. */
export const PROMPTS_DIR = path.resolve(import.meta.dirname, '../../../prompts');
/** Short enough for tests, long enough for a loaded CI machine. */
export const TEST_TIMEOUT_MS = 3_000;

/** What a gateway test needs. */
export interface AiBench {
  readonly backend: Backend;
  readonly test: TestStore;
  readonly plane: DataPlane;
  readonly config: Config;
  readonly metrics: GalleyMetrics;
  readonly runtime: AiRuntime;
  readonly server: ModelServer;
  readonly tenantId: string;
  readonly editor: Principal;
  readonly redisPrefix: string;
  /** Starts an `ai.call` worker (lease `leaseMs`, task timeouts TEST_TIMEOUT_MS unless given). */
  startWorker(options?: {
    readonly leaseMs?: number;
    readonly timeoutMs?: number;
    readonly concurrency?: number;
  }): Worker;
  /** An article in the bench tenant written by the editor. */
  entry(fields: { title: string; body?: string; tags?: string[] }): Promise<Entry>;
  /** The editor asks for `task` on entry `entryId` (requestAiTask). */
  ask(entryId: string, task: string): Promise<AiTaskOutcome>;
  /** Asks, then waits for the answer (memoized or queued). */
  answer(entryId: string, task: string, timeoutMs?: number): Promise<ModelCallResult>;
  /** Waits for a job to finish and returns its result. */
  result(jobId: string, timeoutMs?: number): Promise<ModelCallResult>;
  cleanup(): Promise<void>;
}

/** Opens a bench; `settings` override the configuration. */
export async function openAiBench(backend: Backend, settings: Partial<Config> = {}): Promise<AiBench> {
  const test = await openTestStore(backend);
  const server = await startModelServer();
  const redisPrefix = uniqueName('ai');
  const plane = testPlane(backend, test.store, redisPrefix);
  const config = loadConfig(
    {},
    {
      promptsDir: PROMPTS_DIR,
      openaiBaseUrl: server.url,
      openaiApiKey: 'test-key',
      aiTenantTokensPerMinute: 0,
      workerConcurrency: 4,
      ...settings,
    },
  );
  const metrics = createMetrics({ collectDefault: false });
  await registerPromptSources({ store: test.store, dir: PROMPTS_DIR, actor: 'test', kv: plane.kv });
  const lease: AiRuntimeLease = await acquireAiRuntime(plane, config, metrics);
  const tenant = await buildTenant(test.store.db);
  await buildArticleType(test.store, tenant.id);
  const editor = buildPrincipal({ tenantId: tenant.id, role: 'editor' });
  const workers: Worker[] = [];
  const runtime = lease.runtime;
  const ask = (entryId: string, task: string): Promise<AiTaskOutcome> =>
    requestAiTask({ runtime, actor: editor, tenantId: tenant.id, entryId, task });
  const result = async (jobId: string, timeoutMs = 15_000): Promise<ModelCallResult> => {
    const status = await waitForJob<ModelCallResult>(plane.queue, runtime.completions, jobId, {
      timeoutMs,
      pollMs: 100,
    });
    if (status?.result === undefined) {
      throw new Error(`job ${jobId} did not finish: ${JSON.stringify(status)}`);
    }
    return status.result;
  };
  return {
    backend,
    test,
    plane,
    config,
    metrics,
    runtime,
    server,
    tenantId: tenant.id,
    editor,
    redisPrefix,
    startWorker(options = {}) {
      const timeoutMs = options.timeoutMs ?? TEST_TIMEOUT_MS;
      const worker = plane.queue.process(
        AI_CALL_QUEUE,
        createModelCallHandler(runtime, { timeoutMs: (_task: TaskName) => timeoutMs }),
        { concurrency: options.concurrency ?? 4, leaseMs: options.leaseMs ?? 5_000 },
      );
      workers.push(worker);
      return worker;
    },
    ask,
    async answer(entryId, task, timeoutMs) {
      const outcome = await ask(entryId, task);
      return outcome.kind === 'done' ? outcome.result : result(outcome.jobId, timeoutMs);
    },
    entry(fields) {
      return buildEntry(test.store, { tenantId: tenant.id, actor: editor, fields });
    },
    result,
    async cleanup() {
      await Promise.allSettled(workers.map((w) => w.close(1_000)));
      await lease.release();
      await plane.close();
      metrics.close();
      await server.close();
      await test.cleanup();
      if (backend === 'distributed') await deleteRedisKeys(`${redisPrefix}*`);
    },
  };
}
