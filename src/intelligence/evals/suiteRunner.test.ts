/**
 * The golden suites with the real local model (galley-local-1) and the real prompt files, rendered by the prompt
 * registry: the production prompts pass every task's thresholds, the deliberately degraded summary prompt
 * (test/fixtures/prompts/degraded) fails its gate, skipped rubrics are reported and never counted, and a failed
 * call fails its case. (The same suites through the queue-backed gateway: experience/cli/eval.test.ts.)
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import type { TaskRunner } from '../gateway/runner.ts';
import { parsePromptSource } from '../prompts/promptSource.ts';
import { type PromptVersion, versionOfSource } from '../prompts/promptVersion.ts';
import { createLocalProvider, LOCAL_MODEL } from '../providers/local/localProvider.ts';
import { TASK_NAMES } from '../tasks.ts';
import { NO_JUDGE_NOTICE } from './assertions/llmRubric.ts';
import { loadCases } from './caseLoader.ts';
import { directTaskRunner, versionsFromDir } from './directTaskRunner.ts';
import { runEvalSuite } from './suiteRunner.ts';
import { loadThresholds, type Thresholds } from './thresholds.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const EVALS_DIR = path.join(ROOT, 'evals');
const DEGRADED = path.join(ROOT, 'test/fixtures/prompts/degraded/summary.md');

describe('golden suites with the local model', () => {
  let runner: TaskRunner;
  let degraded: PromptVersion;
  let thresholds: Thresholds;

  before(async () => {
    degraded = versionOfSource(parsePromptSource(DEGRADED, readFileSync(DEGRADED, 'utf8')), 0);
    runner = directTaskRunner({
      versions: await versionsFromDir(path.join(ROOT, 'prompts')),
      extra: [degraded],
      provider: createLocalProvider(),
      model: LOCAL_MODEL,
    });
    thresholds = loadThresholds(path.join(EVALS_DIR, 'thresholds.yaml'));
  });

  for (const task of TASK_NAMES) {
    test(`${task}: the production prompt passes its gate`, async () => {
      const run = await runEvalSuite({ cases: loadCases(EVALS_DIR, task), runner, thresholds: thresholds[task] });
      const failed = run.gate.checks.filter((c) => !c.pass).map((c) => `${c.metric} ${c.actual} vs ${c.limit}`);
      assert.equal(run.gate.pass, true, failed.join('; '));
      assert.equal(run.model, LOCAL_MODEL);
      assert.equal(run.figures.cases, run.cases.length);
      assert.ok(run.figures.tokensPerCase > 0);
      assert.equal(run.cases.filter((c) => c.error !== undefined).length, 0);
      // Without a judge every rubric is skipped, visibly, and counts neither way.
      assert.equal(run.skipped.count, run.cases.length);
      assert.equal(run.skipped.notice, NO_JUDGE_NOTICE);
    });
  }

  test('the degraded summary prompt fails the gate on pass rate and mean score', async () => {
    const run = await runEvalSuite({
      cases: loadCases(EVALS_DIR, 'summary'),
      runner,
      thresholds: thresholds.summary,
      selection: { promptHash: degraded.hash },
    });
    assert.equal(run.promptHash, degraded.hash);
    assert.equal(run.label, undefined);
    assert.equal(run.gate.pass, false);
    const failing = run.gate.checks.filter((c) => !c.pass).map((c) => c.metric);
    assert.ok(failing.includes('minPassRate') && failing.includes('minMeanScore'), failing.join(','));
    assert.ok(run.figures.passRate < 0.5, String(run.figures.passRate));
  });

  test('a failed call fails its case with score 0; the gate counts it', async () => {
    const failing: TaskRunner = async (task, input, selection) => {
      const result = await runner(task, input, selection);
      return input.body === '' ? { ...result, output: undefined, error: 'provider unavailable' } : result;
    };
    const cases = loadCases(EVALS_DIR, 'seo');
    const run = await runEvalSuite({ cases, runner: failing, thresholds: { minPassRate: 1 } });
    const broken = run.cases.filter((c) => c.error !== undefined);
    assert.ok(broken.length > 0);
    for (const c of broken) assert.deepEqual([c.pass, c.score, c.assertions.length], [false, 0, 0]);
    assert.equal(run.gate.pass, false);
  });
});
