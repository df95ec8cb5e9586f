/**
 * Shadow deploy end to end on every backend: a changed prompt source registers as the candidate; with the flag in
 * `shadow` mode the candidate runs in the background on real requests (stored and audited, never shown); the
 * comparison pairs its outputs with production's; promotion is refused without an eval run, allowed once the
 * candidate's golden-set run passes, and refused for a regressed candidate (the degraded fixture).
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '../../../test/support/backends.ts';
import { isGalleyError } from '../../experience/errors/errors.ts';
import { runEvalSession } from '../evals/evalSession.ts';
import { loadThresholds } from '../evals/thresholds.ts';
import { aiFlagKey } from '../flags/definition.ts';
import { registerPromptSources } from '../prompts/promptRegistrar.ts';
import { AI_CALL_QUEUE } from './modelCallJob.ts';
import { promotePrompt } from './promptPromoter.ts';
import { shadowParity } from './shadowParity.ts';
import { openGatewayTaskRunner } from './taskRunner.ts';
import { type AiBench, openAiBench, PROMPTS_DIR } from './testing.ts';

const EVALS_DIR = path.resolve(import.meta.dirname, '../../../evals');
const DEGRADED_DIR = path.resolve(import.meta.dirname, '../../../test/fixtures/prompts/degraded');
const SAMPLES = 20;

for (const backend of BACKENDS) {
  describe(`shadow deploy (${backend})`, () => {
    let bench: AiBench;
    let candidateDir: string;
    before(async () => {
      bench = await openAiBench(backend);
      bench.startWorker({ timeoutMs: 10_000 });
      candidateDir = mkdtempSync(path.join(os.tmpdir(), 'galley-candidate-'));
      const source = readFileSync(path.join(PROMPTS_DIR, 'summary.md'), 'utf8');
      // Same behaviour, new wording: a new version whose outputs agree with production's.
      writeFileSync(path.join(candidateDir, 'summary.md'), source.replace('## system\n', '## system\n\nBe concise.\n'));
    });
    after(async () => {
      rmSync(candidateDir, { recursive: true, force: true });
      await bench.cleanup();
    });

    async function shadowTraffic(label: string): Promise<void> {
      for (let i = 0; i < SAMPLES; i += 1) {
        const entry = await bench.entry({
          title: `${label} story ${i}: council approves the harbour tram line`,
          body: `The council approved the tram line on day ${i}. Construction starts in 2027. It will cost 240 million euros. Residents welcomed the decision.`,
        });
        assert.equal((await bench.answer(entry.id, 'summary')).status, 'ok');
      }
      for (;;) {
        const stats = await bench.plane.queue.stats(AI_CALL_QUEUE);
        if (stats.depth === 0 && stats.active === 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    }

    async function evaluate(hash: string) {
      const runner = await openGatewayTaskRunner(bench.config, { plane: bench.plane });
      try {
        const session = await runEvalSession({
          tasks: ['summary'],
          evalsDir: EVALS_DIR,
          thresholds: loadThresholds(path.join(EVALS_DIR, 'thresholds.yaml')),
          runner: runner.run,
          selection: () => ({ promptHash: hash }),
          db: bench.test.store.db,
        });
        return session.passed;
      } finally {
        await runner.close();
      }
    }

    test('shadow → compare → promote, and a regressed candidate is refused', async () => {
      const production = await bench.runtime.prompts.byLabel('summary', 'production');
      const [registered] = await registerPromptSources({
        store: bench.test.store,
        dir: candidateDir,
        actor: 'test',
        kv: bench.plane.kv,
      });
      assert.equal(registered?.outcome, 'candidate');
      const candidateHash = registered?.hash ?? '';
      await bench.runtime.flags.setFlag(
        {
          key: aiFlagKey('summary'),
          default: {
            mode: 'shadow',
            label: 'production',
            model: 'galley-local-1',
            fallbackModel: 'galley-local-1',
            shadowSampleRate: 1,
          },
          rules: [],
        },
        'test',
      );
      await shadowTraffic('good');

      const parity = await shadowParity(bench.test.store, 'summary', production.hash, candidateHash);
      assert.equal(parity.candidate.samples, SAMPLES, 'every request ran the candidate in the shadow');
      assert.equal(parity.agreement, 1, 'same behaviour, same outputs');
      await assert.rejects(
        promotePrompt({
          store: bench.test.store,
          prompts: bench.runtime.prompts,
          task: 'summary',
          hash: candidateHash,
          actor: 'test',
        }),
        (e: unknown) => isGalleyError(e) && e.code === 'GALLEY_AI_PROMOTION_REFUSED' && /eval gate/.test(e.message),
      );
      assert.equal(await evaluate(production.hash), true);
      assert.equal(await evaluate(candidateHash), true);
      await promotePrompt({
        store: bench.test.store,
        prompts: bench.runtime.prompts,
        task: 'summary',
        hash: candidateHash,
        actor: 'test',
      });
      assert.equal((await bench.runtime.prompts.byLabel('summary', 'production')).hash, candidateHash);

      // The degraded fixture: it shadows like any candidate, but its eval gate fails, so promotion is refused.
      const dir = mkdtempSync(path.join(os.tmpdir(), 'galley-degraded-'));
      copyFileSync(path.join(DEGRADED_DIR, 'summary.md'), path.join(dir, 'summary.md'));
      const [degraded] = await registerPromptSources({
        store: bench.test.store,
        dir,
        actor: 'test',
        kv: bench.plane.kv,
      });
      rmSync(dir, { recursive: true, force: true });
      assert.equal(degraded?.outcome, 'candidate');
      await shadowTraffic('degraded');
      assert.equal(await evaluate(degraded?.hash ?? ''), false);
      await assert.rejects(
        promotePrompt({
          store: bench.test.store,
          prompts: bench.runtime.prompts,
          task: 'summary',
          hash: degraded?.hash ?? '',
          actor: 'test',
        }),
        (e: unknown) => isGalleyError(e) && e.code === 'GALLEY_AI_PROMOTION_REFUSED',
      );
      assert.equal(
        (await bench.runtime.prompts.byLabel('summary', 'production')).hash,
        candidateHash,
        'production did not move',
      );
    });
  });
}
