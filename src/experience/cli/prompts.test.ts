/** `galley prompts` against a real store (and kv) on every backend. */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS, openTestStore, type TestStore, uniqueName } from '../../../test/support/backends.ts';
import { cliConfig, runCli } from '../../../test/support/cli.ts';
import type { Config } from '../../config/config.ts';
import { findLabelHash } from '../../intelligence/prompts/promptQueries.ts';
import { makePromptDir, type PromptDir, REPO_PROMPTS_DIR, repoPromptText } from '../../intelligence/prompts/testing.ts';
import { TASK_NAMES } from '../../intelligence/tasks.ts';
import { runPrompts } from './prompts.ts';

const SECRET = 'prompts-cli-test-secret-0123456789abcdef';

/** A config whose store is the test store (its SQLite file, or its schema) and whose kv has a prefix of its own. */
function configFor(t: TestStore): Config {
  return cliConfig(t, { secret: SECRET, logLevel: 'silent', promptsDir: REPO_PROMPTS_DIR }, uniqueName('prompts'));
}

function invoke(args: readonly string[], config: Config) {
  return runCli(runPrompts, args, config);
}

for (const backend of BACKENDS) {
  describe(`galley prompts (${backend})`, () => {
    let t: TestStore;
    let config: Config;
    let changed: PromptDir;
    before(async () => {
      t = await openTestStore(backend);
      config = configFor(t);
      changed = makePromptDir({ 'summary.md': repoPromptText('summary').replace('two or three', 'two to three') });
    });
    after(async () => {
      changed.cleanup();
      await t.cleanup();
    });

    test('register, list, show, diff, label and history', async () => {
      const registered = await invoke(['register'], config);
      assert.equal(registered.code, 0, registered.output);
      assert.match(registered.output, /summary +[0-9a-f]{12} {2}new {2}production/);
      assert.match(registered.output, new RegExp(`registered ${TASK_NAMES.length} source\\(s\\)`));
      const production = await findLabelHash(t.store, 'summary', 'production');
      assert.ok(production);

      const candidate = await invoke(['register', '--dir', changed.dir], config);
      assert.equal(candidate.code, 0, candidate.output);
      assert.match(candidate.output, /summary +([0-9a-f]{12}) {2}new {2}candidate/);
      const candidateHash = await findLabelHash(t.store, 'summary', 'candidate');
      assert.ok(candidateHash);

      const listed = await invoke(['list', '--task', 'summary'], config);
      assert.equal(listed.code, 0, listed.output);
      assert.match(listed.output, new RegExp(`summary +${candidateHash.slice(0, 12)} .* candidate `));
      assert.match(listed.output, new RegExp(`summary +${production.slice(0, 12)} .* production `));
      assert.match(listed.output, /2 version\(s\)/);
      assert.match((await invoke(['list'], config)).output, new RegExp(`${TASK_NAMES.length + 1} version\\(s\\)`));

      const shown = await invoke(['show', production.slice(0, 10)], config);
      assert.equal(shown.code, 0, shown.output);
      assert.match(shown.output, new RegExp(`^hash {9}${production}$`, 'm'));
      assert.match(shown.output, /^labels {7}production$/m);
      assert.match(shown.output, /== system\nYou are an editorial assistant/);
      assert.match(shown.output, /== user\nSummarize the following entry\./);
      assert.match((await invoke(['show', 'summary:candidate'], config)).output, new RegExp(candidateHash));
      assert.match((await invoke(['show', 'seo'], config)).output, /^task {9}seo$/m);

      const diffed = await invoke(['diff', 'summary', 'summary:candidate'], config);
      assert.equal(diffed.code, 0, diffed.output);
      assert.match(
        diffed.output,
        new RegExp(`^--- ${production} \\(summary\\)\n\\+\\+\\+ ${candidateHash} \\(summary\\)`),
      );
      assert.match(diffed.output, /^-- Write two or three complete sentences/m);
      assert.match(diffed.output, /^\+- Write two to three complete sentences/m);
      assert.match(diffed.output, /== user\n\(unchanged\)\n== params\n\(unchanged\)/);

      const labelled = await invoke(
        ['label', 'summary', 'production', candidateHash.slice(0, 8), '--reason', 'eval passed'],
        config,
      );
      assert.equal(labelled.code, 0, labelled.output);
      assert.equal(labelled.output, `summary:production ${production.slice(0, 12)} -> ${candidateHash.slice(0, 12)}`);
      assert.equal(await findLabelHash(t.store, 'summary', 'production'), candidateHash);

      const history = await invoke(['history', 'summary'], config);
      assert.equal(history.code, 0, history.output);
      const lines = history.output.split('\n');
      assert.equal(lines.length, 3);
      assert.match(lines[0] ?? '', /production +\(new\) -> [0-9a-f]{12} {2}by cli(:\S+)? {2}first registration from/);
      assert.match(lines[1] ?? '', /candidate +\(new\) -> /);
      assert.match(
        lines[2] ?? '',
        new RegExp(`production +${production.slice(0, 12)} -> ${candidateHash.slice(0, 12)} .*eval passed$`),
      );
    });

    test('bad usage exits 2; unknown versions and bad sources exit 1 with a message', async () => {
      for (const args of [
        [],
        ['nope'],
        ['show'],
        ['diff', 'summary'],
        ['history', 'poems'],
        ['list', '--task', 'x'],
        ['list', '--bogus'],
      ]) {
        assert.equal((await invoke(args, config)).code, 2, args.join(' '));
      }
      const unknown = await invoke(['show', 'abcdef0123'], config);
      assert.equal(unknown.code, 1);
      assert.match(unknown.output, /no prompt version matches "abcdef0123"/);
      const short = await invoke(['show', 'abc'], config);
      assert.equal(short.code, 1);
      assert.match(short.output, /8\+ hex digits/);
      const noLabel = await invoke(['show', 'tags:nightly'], config);
      assert.equal(noLabel.code, 1);
      assert.match(noLabel.output, /task "tags" has no prompt label "nightly"/);
      const production = await findLabelHash(t.store, 'seo', 'production');
      assert.ok(production);
      const wrongTask = await invoke(['label', 'tags', 'production', production], config);
      assert.equal(wrongTask.code, 1);
      assert.match(wrongTask.output, /belongs to task "seo"/);
      const bad = makePromptDir({ 'tags.md': '---\ntask: tags\n---\n' });
      try {
        const refused = await invoke(['register', '--dir', bad.dir], config);
        assert.equal(refused.code, 1);
        assert.match(refused.output, /tags\.md: "description" is required/);
      } finally {
        bad.cleanup();
      }
    });
  });
}
