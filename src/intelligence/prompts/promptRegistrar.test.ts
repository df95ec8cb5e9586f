/** Registering prompt sources on every backend: idempotent, safe under concurrency, labels follow the files. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS, openTestStore, TEST_DATABASE_URL, type TestStore } from '../../../test/support/backends.ts';
import { openPostgresStore } from '../../data/store/postgres/postgresStore.ts';
import { TASK_NAMES } from '../tasks.ts';
import { readPromptSources } from './promptFiles.ts';
import { findLabelHash, labelHistory, listPromptVersions } from './promptQueries.ts';
import { registerPromptSources } from './promptRegistrar.ts';
import { PromptSourceError } from './promptSource.ts';
import { promptDb } from './tables.ts';
import { makePromptDir, type PromptDir, promptText, REPO_PROMPTS_DIR, repoPromptText } from './testing.ts';

for (const backend of BACKENDS) {
  describe(`registerPromptSources (${backend})`, () => {
    let t: TestStore;
    let folder: PromptDir;
    before(async () => {
      t = await openTestStore(backend);
    });
    after(async () => {
      await t.cleanup();
    });

    test('first registration points production at every file; a second run changes nothing', async () => {
      const first = await registerPromptSources({ store: t.store, dir: REPO_PROMPTS_DIR, actor: 'deploy-1' });
      assert.deepEqual(first.map((r) => r.task).sort(), [...TASK_NAMES].sort());
      const sources = await readPromptSources(REPO_PROMPTS_DIR);
      for (const result of first) {
        assert.equal(result.outcome, 'production');
        assert.equal(result.inserted, true);
        assert.equal(result.production, result.hash);
        assert.equal(await findLabelHash(t.store, result.task, 'production'), result.hash);
        assert.ok(sources.some((s) => s.fileName === result.fileName));
      }
      const again = await registerPromptSources({ store: t.store, dir: REPO_PROMPTS_DIR, actor: 'deploy-2' });
      assert.ok(again.every((r) => r.outcome === 'unchanged' && !r.inserted));
      assert.equal((await listPromptVersions(t.store)).length, TASK_NAMES.length);
      const history = await labelHistory(t.store, 'summary');
      assert.equal(history.length, 1);
      assert.equal(history[0]?.fromHash, null);
      assert.equal(history[0]?.actor, 'deploy-1');
      assert.match(history[0]?.reason ?? '', /first registration from .*summary\.md/);
    });

    test('a changed file becomes the candidate; production stays until someone moves it', async () => {
      folder = makePromptDir({ 'summary.md': repoPromptText('summary').replace('two or three', 'two to three') });
      try {
        const production = await findLabelHash(t.store, 'summary', 'production');
        const [changed] = await registerPromptSources({ store: t.store, dir: folder.dir, actor: 'deploy-3' });
        assert.equal(changed?.outcome, 'candidate');
        assert.equal(changed?.inserted, true);
        assert.equal(changed?.production, production);
        assert.equal(await findLabelHash(t.store, 'summary', 'production'), production);
        assert.equal(await findLabelHash(t.store, 'summary', 'candidate'), changed?.hash);
        const [repeated] = await registerPromptSources({ store: t.store, dir: folder.dir, actor: 'deploy-4' });
        assert.equal(repeated?.outcome, 'unchanged');
        const moves = (await labelHistory(t.store, 'summary')).filter((e) => e.label === 'candidate');
        assert.equal(moves.length, 1);
        assert.equal(moves[0]?.toHash, changed?.hash);
        assert.equal(moves[0]?.actor, 'deploy-3');
      } finally {
        folder.cleanup();
      }
    });

    test('concurrent registrars store one version row and one production move', async () => {
      const fresh = await openTestStore(backend);
      // Distributed: a second pool, like a second process; embedded has one connection per file and process.
      const other =
        backend === 'distributed' && fresh.schema !== undefined
          ? openPostgresStore({ connectionString: TEST_DATABASE_URL, max: 5, schema: fresh.schema })
          : fresh.store;
      try {
        const results = await Promise.all(
          [fresh.store, other, fresh.store, other].map((store, i) =>
            registerPromptSources({ store, dir: REPO_PROMPTS_DIR, actor: `process-${i}` }),
          ),
        );
        const rows = await promptDb(fresh.store.db).selectFrom('ai_prompt_versions').select('hash').execute();
        assert.equal(rows.length, TASK_NAMES.length);
        for (const task of TASK_NAMES) {
          const perTask = results.map((run) => run.find((r) => r.task === task));
          assert.equal(perTask.filter((r) => r?.inserted).length, 1, task);
          assert.equal(perTask.filter((r) => r?.outcome === 'production').length, 1, task);
          assert.equal((await labelHistory(fresh.store, task)).length, 1, task);
        }
      } finally {
        if (other !== fresh.store) await other.close();
        await fresh.cleanup();
      }
    });

    test('one bad file registers nothing and names the file', async () => {
      folder = makePromptDir({
        'seo.md': promptText('seo'),
        'tags.md': promptText('tags', { user: '{{body}} {{author}}' }),
      });
      try {
        await assert.rejects(
          registerPromptSources({ store: t.store, dir: folder.dir, actor: 'x' }),
          (error: unknown) => {
            assert.ok(error instanceof PromptSourceError);
            assert.match(error.message, /tags\.md: unknown placeholder \{\{author\}\}/);
            return true;
          },
        );
        assert.equal((await listPromptVersions(t.store, 'seo')).length, 1);
      } finally {
        folder.cleanup();
      }
    });
  });
}
