/**
 * Kill -9 a worker in the middle of a model call: the job is delivered again to another worker, completes once,
 * and exactly one result is stored for its call key — on every backend, with the worker in a real child process.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '../../../test/support/backends.ts';
import { aiFlagKey } from '../flags/definition.ts';
import { aiDb } from './tables.ts';
import { type AiBench, openAiBench, PROMPTS_DIR } from './testing.ts';

const CHILD = path.resolve(import.meta.dirname, '../../../test/support/aiWorkerProcess.ts');

for (const backend of BACKENDS) {
  describe(`gateway crash (${backend})`, () => {
    let bench: AiBench;
    before(async () => {
      bench = await openAiBench(backend);
    });
    after(async () => {
      await bench.cleanup();
    });

    test('a worker killed mid-call: the job completes once, with one stored result', async () => {
      await bench.runtime.flags.setFlag(
        {
          key: aiFlagKey('summary'),
          default: { mode: 'on', label: 'production', model: 'gpt-4o-mini', fallbackModel: 'galley-local-1' },
          rules: [],
        },
        'test',
      );
      bench.server.latency(120_000); // the call hangs until the worker dies
      const child = spawn(
        process.execPath,
        [
          CHILD,
          backend,
          bench.test.location,
          bench.test.schema ?? '-',
          bench.redisPrefix,
          bench.server.url,
          PROMPTS_DIR,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
        child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
      });
      const entry = await bench.entry({
        title: 'Harbour tram line approved',
        body: 'The council approved the line. Work starts in 2027.',
      });
      const out = await bench.ask(entry.id, 'summary');
      assert.equal(out.kind, 'queued');
      if (out.kind !== 'queued') return;
      await bench.server.waitForRequests(1, 20_000);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;

      bench.server.reset(); // answers promptly again
      bench.startWorker({ leaseMs: 1_500, timeoutMs: 10_000 });
      const result = await bench.result(out.jobId, 60_000);
      assert.equal(result.status, 'ok', result.error);
      assert.equal(result.model, 'gpt-4o-mini');
      const status = await bench.plane.queue.status(out.jobId);
      assert.ok((status?.attempts ?? 0) >= 2, 'the job was delivered again');
      const db = aiDb(bench.test.store.db);
      const stored = await db.selectFrom('ai_results').selectAll().where('call_key', '=', out.callKey).execute();
      assert.equal(stored.length, 1);
      const audited = await db
        .selectFrom('ai_calls')
        .select('status')
        .where('call_key', '=', out.callKey)
        .where('status', '=', 'ok')
        .execute();
      assert.equal(audited.length, 1, 'one successful call is audited');
    });
  });
}
