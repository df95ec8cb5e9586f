/**
 * The gateway as a TaskRunner (runner.ts) for evals and shadow comparisons: each run is prepared exactly like an
 * editor's request (normalization, injection policy, call key), queued, and answered by an in-process `ai.call`
 * worker through the same providers, budgets, result store and audit. The task's flag is bypassed because the
 * prompt version (label or hash) and model are named explicitly. Runs are scoped by a run id, so a new run makes
 * fresh calls while a repeated case inside one run is deduplicated.
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../../config/config.ts';
import type { DataPlane } from '../../data/dataPlane.ts';
import { migrateToLatest } from '../../data/migrations/migrator.ts';
import { openDataPlane } from '../../data/openDataPlane.ts';
import { createMetrics } from '../../ops/metrics/registry.ts';
import { registerPromptSources } from '../prompts/promptRegistrar.ts';
import { TASK_POLICIES } from '../tasks.ts';
import { acquireAiRuntime } from './aiRuntime.ts';
import { enqueueCall, prepareCall } from './callPreparer.ts';
import { waitForJob } from './jobCompletions.ts';
import type { ModelCallResult } from './modelCallJob.ts';
import type { RunSelection, TaskRun, TaskRunner } from './runner.ts';
import { AI_CALL_WORKER } from './workerRegistration.ts';

/** The tenant eval calls are audited under; `system:` tenants have no budget cap (tenantAiSettings.ts). */
export const EVAL_TENANT = 'system:eval';
/** Extra wait beyond the task timeout for queueing. */
const QUEUE_SLACK_MS = 30_000;

/** An open runner; `close` stops its worker and data plane. */
export interface GatewayTaskRunner {
  readonly run: TaskRunner;
  /** The run scope (appears in the audit's call keys). */
  readonly runId: string;
  close(): Promise<void>;
}

/** Options of openGatewayTaskRunner. */
export interface GatewayRunnerOptions {
  /** Use this plane instead of opening one from the config (tests); it is not closed by `close`. */
  readonly plane?: DataPlane;
  /** Run scope; default a fresh id. */
  readonly runId?: string;
}

/** Opens the data plane (migrating it), the AI runtime and an in-process worker. */
export async function openGatewayTaskRunner(
  config: Config,
  options: GatewayRunnerOptions = {},
): Promise<GatewayTaskRunner> {
  const plane = options.plane ?? (await openDataPlane(config));
  if (options.plane === undefined) await migrateToLatest(plane.store);
  // Like `galley serve`, a runner is a start-up: the installed prompt sources register (idempotent).
  await registerPromptSources({ store: plane.store, dir: config.promptsDir, actor: 'deploy', kv: plane.kv });
  const metrics = createMetrics({ collectDefault: false });
  const lease = await acquireAiRuntime(plane, config, metrics);
  const { runtime } = lease;
  const worker = AI_CALL_WORKER.start(plane, { config, metrics });
  const runId = options.runId ?? randomUUID();

  const run: TaskRunner = async (task, input, selection: RunSelection = {}) => {
    const prompt =
      selection.promptHash !== undefined
        ? await runtime.prompts.byHash(selection.promptHash)
        : await runtime.prompts.byLabel(task, selection.label ?? 'production');
    const model = selection.model ?? config.aiDefaultModel;
    const started = performance.now();
    const failed = (error: string): TaskRun => ({
      output: undefined,
      model,
      promptHash: prompt.hash,
      usage: { inputTokens: 0, outputTokens: 0 },
      costUsd: 0,
      latencyMs: performance.now() - started,
      error,
    });
    let jobId: string;
    try {
      const payload = prepareCall({
        tenantId: EVAL_TENANT,
        userId: 'eval',
        task,
        input,
        prompt,
        promptLabel: selection.promptHash !== undefined ? 'version' : (selection.label ?? 'production'),
        model,
        fallbackModel: model,
        scope: `eval:${runId}`,
        flagVariant: 'eval',
        shadow: false,
      });
      jobId = await enqueueCall(runtime, payload);
    } catch (error) {
      return failed(error instanceof Error ? error.message : String(error));
    }
    const status = await waitForJob<ModelCallResult>(plane.queue, runtime.completions, jobId, {
      timeoutMs: TASK_POLICIES[task].timeoutMs + QUEUE_SLACK_MS,
      pollMs: 200,
    });
    const latencyMs = performance.now() - started;
    if (status?.result === undefined) return failed(status?.error ?? 'the job did not finish in time');
    const result = status.result;
    if (result.output === undefined) return { ...failed(result.error ?? result.status), latencyMs };
    return {
      output: result.output,
      model: result.model,
      promptHash: result.promptHash,
      usage: result.usage,
      costUsd: result.costUsd,
      latencyMs,
    };
  };

  return {
    run,
    runId,
    async close() {
      await worker.close(5_000);
      await lease.release();
      metrics.close();
      if (options.plane === undefined) await plane.close();
    },
  };
}
