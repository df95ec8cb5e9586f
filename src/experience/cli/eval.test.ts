/**
 * `galley eval` end to end on every backend: the summary suite through the real gateway (queue, in-process
 * worker, local model, result store), reports on disk, runs stored; the degraded prompt fixture fails the gate
 * and `compare` shows its regressions; a case file changed without a manifest update is refused; bad usage exits 2.
 */

import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BACKENDS, openTestStore, type TestStore, uniqueName } from '../../../test/support/backends.ts';
import { cliConfig, runCli } from '../../../test/support/cli.ts';
import { type Config, loadConfig } from '../../config/config.ts';
import { latestEvalRun } from '../../intelligence/evals/runs/evalRunQueries.ts';
import { DEFAULT_EVALS_DIR, runEval } from './eval.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const SECRET = 'eval-test-secret-eval-test-secret-0123456789';

function configFor(t: TestStore, dataDir: string): Config {
  return cliConfig(
    t,
    {
      secret: SECRET,
      logLevel: 'silent',
      promptsDir: path.join(ROOT, 'prompts'),
      aiDefaultModel: 'galley-local-1',
      aiTenantTokensPerMinute: 0,
      dataDir,
    },
    uniqueName('eval'),
  );
}

function invoke(args: readonly string[], config: Config) {
  return runCli(runEval, args, config);
}

for (const backend of BACKENDS) {
  describe(`galley eval (${backend})`, () => {
    let t: TestStore;
    let config: Config;
    let out: string;
    before(async () => {
      t = await openTestStore(backend);
      out = mkdtempSync(path.join(os.tmpdir(), 'galley-eval-out-'));
      config = configFor(t, out);
    });
    after(async () => {
      await t.cleanup();
      rmSync(out, { recursive: true, force: true });
    });

    test('production passes through the gateway; the degraded fixture fails; compare shows the regressions', async () => {
      const production = await invoke(['--task', 'summary', '--out', out], config);
      assert.equal(production.code, 0, production.output);
      assert.match(production.output, /notice: GALLEY_AI_JUDGE_MODEL is not set/);
      assert.match(production.output, /^summary +40 +\d+\.\d% .* pass$/m);
      assert.match(production.output, /eval gate: passed/);
      const stored = await latestEvalRun(t.store.db, 'summary');
      assert.ok(stored);
      assert.equal(stored.label, 'production');
      assert.equal(stored.model, 'galley-local-1');
      assert.ok(stored.figures.p95LatencyMs > 0);
      const files = readdirSync(out).filter((f) => f.startsWith(`summary-${stored.id}`));
      assert.deepEqual(files.sort(), [`summary-${stored.id}.html`, `summary-${stored.id}.json`]);
      assert.match(readFileSync(path.join(out, `summary-${stored.id}.html`), 'utf8'), /^<!doctype html>/);

      const degraded = await invoke(
        ['--task', 'summary', '--prompt-dir', path.join(ROOT, 'test/fixtures/prompts/degraded'), '--no-store'],
        config,
      );
      assert.equal(degraded.code, 1, degraded.output);
      assert.match(degraded.output, /FAIL minPassRate/);
      assert.match(degraded.output, /eval gate: FAILED/);
      assert.equal((await latestEvalRun(t.store.db, 'summary'))?.id, stored.id, '--no-store keeps the run out');

      const again = await invoke(
        ['--task', 'summary', '--prompt-dir', path.join(ROOT, 'test/fixtures/prompts/degraded')],
        config,
      );
      assert.equal(again.code, 1);
      const worse = await latestEvalRun(t.store.db, 'summary');
      assert.ok(worse && worse.id !== stored.id);
      const compared = await invoke(['compare', stored.id, worse.id], config);
      assert.equal(compared.code, 0, compared.output);
      assert.match(compared.output, /\d+ regressed, 0 fixed/);
      assert.match(compared.output, /regressed +summary-\d{3}-[a-z0-9-]+: pass [\d.]+ → fail/);
      const byHash = await invoke(
        ['compare', stored.promptHash.slice(0, 12), worse.promptHash, '--task', 'summary'],
        config,
      );
      assert.equal(byHash.code, 0, byHash.output);
      assert.equal((await invoke(['compare', 'nothing-1', 'nothing-2'], config)).code, 1);
    });

    test('--reuse answers the reusing tasks for earlier inputs, keeps the gate and stores nothing', async () => {
      const before = await latestEvalRun(t.store.db, 'seo');
      const reuse = await invoke(['--reuse', '--task', 'seo', '--task', 'pii', '--out', out], config);
      assert.equal(reuse.code, 0, reuse.output);
      assert.match(reuse.output, /reuse check: .*\(seo 0\.9\)/, 'pii never reuses, so it is not run');
      assert.match(reuse.output, /^seo +40 +\d+\.\d% .* pass$/m);
      assert.match(reuse.output, /reuse check: [1-9]\d* answers computed on an earlier input/);
      assert.equal((await latestEvalRun(t.store.db, 'seo'))?.id, before?.id, 'reuse runs are not stored');
    });

    test('a case file changed without a manifest update is refused; --update-manifest accepts it', async () => {
      const evals = mkdtempSync(path.join(os.tmpdir(), 'galley-evals-'));
      try {
        cpSync(DEFAULT_EVALS_DIR, evals, { recursive: true });
        const file = path.join(evals, 'seo', 'cases.jsonl');
        const lines = readFileSync(file, 'utf8').trim().split('\n').slice(0, 2);
        writeFileSync(file, `${lines.join('\n')}\n`);
        const refused = await invoke(['--task', 'seo', '--evals', evals, '--no-store'], config);
        assert.equal(refused.code, 1);
        assert.match(refused.output, /seo\/cases\.jsonl changed without a manifest update/);
        const updated = await invoke(['--update-manifest', '--evals', evals], config);
        assert.equal(updated.code, 0);
        assert.match(updated.output, /^[0-9a-f]{64} {2}seo\/cases\.jsonl$/m);
        const accepted = await invoke(['--task', 'seo', '--evals', evals, '--no-store', '--out', out], config);
        assert.match(accepted.output, /^seo +2 /m);
      } finally {
        rmSync(evals, { recursive: true, force: true });
      }
    });
  });
}

test('bad usage exits 2 with the usage text', async () => {
  const config = loadConfig({}, { logLevel: 'silent' });
  for (const args of [
    ['--version', 'abc'],
    ['--task', 'summary', '--version', 'abc', '--prompt-label', 'candidate'],
    ['--task', 'nope'],
    ['--frobnicate'],
    ['compare', 'only-one'],
    ['dance'],
  ]) {
    const result = await invoke(args, config);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.output}`);
    assert.match(result.output, /usage: galley eval/);
  }
});
