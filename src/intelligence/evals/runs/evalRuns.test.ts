/** Storing eval runs and reading them back on every backend: latest per task, and runs by id, hash or model. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS, openTestStore, type TestStore } from '../../../../test/support/backends.ts';
import { buildCaseResult, buildEvalRun } from '../testing.ts';
import { evalRunTask, findEvalRun, latestEvalRun, latestEvalRuns } from './evalRunQueries.ts';
import { recordEvalRun, STORED_OUTPUT_CHARS } from './evalRunRecorder.ts';
import { evalDb } from './tables.ts';

const at = (second: number) => new Date(Date.UTC(2026, 10, 27, 1, 0, second)).toISOString();

for (const backend of BACKENDS) {
  describe(`eval runs (${backend})`, () => {
    let t: TestStore;
    before(async () => {
      t = await openTestStore(backend);
    });
    after(async () => {
      await t.cleanup();
    });

    test('latest per task, in task order; tasks never run are left out', async () => {
      const db = t.store.db;
      assert.deepEqual(await latestEvalRuns(db), []);
      const older = buildEvalRun('summary', [buildCaseResult({ id: 's-1' })], {
        finishedAt: at(1),
        model: 'gpt-4o-mini',
      });
      const newer = buildEvalRun('summary', [buildCaseResult({ id: 's-1', pass: false })], {
        finishedAt: at(2),
        promptHash: 'c'.repeat(64),
      });
      const seo = buildEvalRun('seo', [buildCaseResult({ id: 'seo-1' })], { finishedAt: at(0) });
      for (const run of [older, newer, seo]) await recordEvalRun({ db, run });

      const latest = await latestEvalRuns(db);
      assert.deepEqual(
        latest.map((r) => [r.task, r.id]),
        [
          ['summary', newer.id],
          ['seo', seo.id],
        ],
      );
      assert.deepEqual(latest[0], newer, 'the stored run reads back whole');
      assert.deepEqual(
        (await latestEvalRuns(db, 'seo')).map((r) => r.id),
        [seo.id],
      );
      assert.equal(await latestEvalRun(db, 'pii'), undefined);

      const row = await evalDb(db)
        .selectFrom('ai_eval_runs')
        .selectAll()
        .where('id', '=', newer.id)
        .executeTakeFirstOrThrow();
      assert.deepEqual([row.cases, row.passed, row.pass_rate, row.gate_passed, row.label], [1, 0, 0, 0, 'production']);
      assert.equal(typeof row.mean_score, 'number');
    });

    test('a reference finds the newest run by id, prompt hash, hash prefix or model', async () => {
      const db = t.store.db;
      const run = buildEvalRun('tags', [buildCaseResult({ id: 't-1' })], {
        finishedAt: at(5),
        promptHash: 'd'.repeat(64),
        model: 'claude-haiku-4-5',
      });
      await recordEvalRun({ db, run });
      assert.equal((await findEvalRun(db, 'tags', run.id))?.id, run.id);
      assert.equal((await findEvalRun(db, 'tags', 'd'.repeat(64)))?.id, run.id);
      assert.equal((await findEvalRun(db, 'tags', 'dddddddd'))?.id, run.id);
      assert.equal((await findEvalRun(db, 'tags', 'claude-haiku-4-5'))?.id, run.id);
      assert.equal(await findEvalRun(db, 'tags', 'ddd'), undefined, 'prefixes need 8 characters');
      assert.equal(await findEvalRun(db, 'tags', '%'), undefined);
      assert.equal(await evalRunTask(db, run.id), 'tags');
      assert.equal(await evalRunTask(db, 'nope'), undefined);
    });

    test('long outputs are capped in the stored copy', async () => {
      const db = t.store.db;
      const long = { summary: 'x'.repeat(STORED_OUTPUT_CHARS * 2) };
      const run = buildEvalRun('pii', [buildCaseResult({ id: 'p-1', output: long })], { finishedAt: at(9) });
      await recordEvalRun({ db, run });
      const stored = await latestEvalRun(db, 'pii');
      const output = stored?.cases[0]?.output;
      assert.equal(typeof output, 'string');
      assert.ok(typeof output === 'string' && output.length <= STORED_OUTPUT_CHARS + 1);
    });
  });
}
