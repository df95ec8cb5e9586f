/**
 * Child process for the gateway's crash test: an `ai.call` worker on the parent's store, kv and queue, with a
 * short lease, so the parent can kill -9 it in the middle of a model call and watch the job be delivered again.
 * Prints `ready` once it processes the queue.
 *
 * argv: <embedded|distributed> <sqlite file | postgres URL> <postgres schema or -> <redis prefix> <model server URL>
 *       <prompts dir>
 */
import { loadConfig } from '../../src/config/config.ts';
import { openPostgresStore } from '../../src/data/store/postgres/postgresStore.ts';
import { openSqliteStore } from '../../src/data/store/sqlite/sqliteStore.ts';
import { acquireAiRuntime } from '../../src/intelligence/gateway/aiRuntime.ts';
import { createModelCallHandler } from '../../src/intelligence/gateway/modelCaller.ts';
import { AI_CALL_QUEUE } from '../../src/intelligence/gateway/modelCallJob.ts';
import { createMetrics } from '../../src/ops/metrics/registry.ts';
import type { Backend } from './backends.ts';
import { testPlane } from './plane.ts';

const [backend, target, schema, prefix, modelUrl, promptsDir] = process.argv.slice(2);
if (
  backend === undefined ||
  target === undefined ||
  prefix === undefined ||
  modelUrl === undefined ||
  promptsDir === undefined
) {
  throw new Error('usage: aiWorkerProcess <backend> <target> <schema|-> <prefix> <model url> <prompts dir>');
}
const store =
  backend === 'embedded'
    ? openSqliteStore({ filename: target })
    : openPostgresStore({
        connectionString: target,
        max: 4,
        ...(schema === '-' || schema === undefined ? {} : { schema }),
      });
const plane = testPlane(backend as Backend, store, prefix);
const config = loadConfig(
  {},
  { promptsDir, openaiBaseUrl: modelUrl, openaiApiKey: 'test-key', aiTenantTokensPerMinute: 0 },
);
const { runtime } = await acquireAiRuntime(plane, config, createMetrics({ collectDefault: false }));
plane.queue.process(AI_CALL_QUEUE, createModelCallHandler(runtime, { timeoutMs: () => 60_000 }), {
  concurrency: 1,
  leaseMs: 1_500,
});
process.stdout.write('ready\n');
