/** `galley flags list|get|set|rule|history` against a real store and kv on every backend. */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTenant } from '../../../test/factories.ts';
import { BACKENDS, openTestStore, TEST_REDIS_URL, type TestStore, uniqueName } from '../../../test/support/backends.ts';
import { cliConfig, runCli } from '../../../test/support/cli.ts';
import { deleteRedisKeys } from '../../../test/support/redisKeys.ts';
import type { Config } from '../../config/config.ts';
import { createRedisKv } from '../../data/kv/redis/redisKv.ts';
import { createSqliteKv } from '../../data/kv/sqlite/sqliteKv.ts';
import type { TenantsTable } from '../../data/store/schema.ts';
import { getFlag } from '../../intelligence/flags/flagQueries.ts';
import { openFlagService } from '../../intelligence/flags/flagService.ts';
import { runFlags } from './flags.ts';

const SECRET = 'flags-cli-test-secret-0123456789abcdef';

/** A config whose store and kv are the test's (its SQLite file, or its schema and Redis prefix). */
function configFor(t: TestStore, redisPrefix: string): Config {
  return cliConfig(t, { secret: SECRET, logLevel: 'silent', aiDefaultModel: 'cli-default-model' }, redisPrefix);
}

function invoke(args: readonly string[], config: Config) {
  return runCli(runFlags, args, config);
}

for (const backend of BACKENDS) {
  describe(`galley flags (${backend})`, () => {
    let t: TestStore;
    let tenant: TenantsTable;
    let config: Config;
    let prefix: string;
    before(async () => {
      t = await openTestStore(backend);
      prefix = uniqueName('flagscli');
      tenant = await buildTenant(t.store.db);
      config = configFor(t, prefix);
    });
    after(async () => {
      await t.cleanup();
      if (backend === 'distributed') await deleteRedisKeys(`${prefix}*`);
    });

    test('list, set, get, rule add/remove and history', async () => {
      const listed = await invoke(['list'], config);
      assert.equal(listed.code, 0, listed.output);
      assert.equal(listed.output.match(/built-in \(never set\)/g)?.length, 6, listed.output);
      assert.match(
        listed.output,
        /ai\.summary {2}built-in[^\n]*\n {2}default: mode=on label=production model=cli-default-model/,
      );

      const set = await invoke(
        ['set', 'ai.summary', '--mode', 'shadow', '--candidate-label', 'v2', '--sample', '0.5'],
        config,
      );
      assert.equal(set.code, 0, set.output);
      const json = await invoke(['get', 'ai.summary', '--json'], config);
      assert.equal(json.code, 0, json.output);
      assert.deepEqual(JSON.parse(json.output), {
        key: 'ai.summary',
        default: {
          mode: 'shadow',
          label: 'production',
          model: 'cli-default-model',
          fallbackModel: 'galley-local-1',
          candidateLabel: 'v2',
          shadowSampleRate: 0.5,
        },
        rules: [],
      });

      const add = [
        'rule',
        'add',
        'ai.summary',
        '--id',
        'beta',
        '--tenant',
        tenant.slug,
        '--role',
        'editor',
        '--role',
        'owner',
      ];
      const added = await invoke([...add, '--percentage', '100', '--mode', 'on', '--model', 'm-beta'], config);
      assert.equal(added.code, 0, added.output);
      const stored = await getFlag(t.store.db, 'ai.summary', config.aiDefaultModel);
      assert.deepEqual(stored.definition.rules, [
        {
          id: 'beta',
          tenants: [tenant.id],
          roles: ['editor', 'owner'],
          percentage: 100,
          value: { mode: 'on', model: 'm-beta' },
        },
      ]);
      const shown = await invoke(['get', 'ai.summary'], config);
      assert.match(
        shown.output,
        new RegExp(`rule beta: tenants=${tenant.slug} roles=editor,owner percentage=100 → mode=on model=m-beta`),
      );

      // A service started now evaluates what the CLI wrote.
      const kv = backend === 'embedded' ? createSqliteKv(t.store) : createRedisKv({ url: TEST_REDIS_URL, prefix });
      const service = await openFlagService({ store: t.store, kv, config, pollIntervalMs: 60_000 });
      try {
        const editor = await service.evaluateAiTask('summary', { tenantId: tenant.id, role: 'editor', userId: 'u1' });
        assert.deepEqual([editor.variant, editor.value.mode, editor.value.model], ['beta', 'on', 'm-beta']);
        const viewer = await service.evaluateAiTask('summary', { tenantId: tenant.id, role: 'viewer', userId: 'u1' });
        assert.deepEqual([viewer.variant, viewer.value.mode, viewer.value.candidateLabel], ['default', 'shadow', 'v2']);
      } finally {
        await service.close();
        await kv.close();
      }

      const removed = await invoke(['rule', 'remove', 'ai.summary', 'beta'], config);
      assert.equal(removed.code, 0, removed.output);
      assert.deepEqual((await getFlag(t.store.db, 'ai.summary', config.aiDefaultModel)).definition.rules, []);

      const history = await invoke(['history', 'ai.summary'], config);
      assert.equal(history.code, 0, history.output);
      const lines = history.output.split('\n');
      assert.match(lines[0] ?? '', /^v\d+ {2}\S+ {2}system$/);
      assert.equal(lines[1], '  - rule beta');
      assert.ok(lines.includes('  + rule beta'), history.output);
      assert.equal(
        lines.at(-1),
        '  first set (was built-in): default mode=shadow label=production model=cli-default-model fallbackModel=galley-local-1 candidateLabel=v2 shadowSampleRate=0.5',
      );
    });

    test('bad usage exits 2; refused changes exit 1 and say why', async () => {
      assert.equal((await invoke([], config)).code, 2);
      assert.equal((await invoke(['get'], config)).code, 2);
      assert.equal((await invoke(['set', 'ai.tags'], config)).code, 2, 'no value option');
      assert.equal((await invoke(['set', 'ai.tags', '--sample', 'lots'], config)).code, 2);
      assert.equal((await invoke(['rule', 'add', 'ai.tags', '--mode', 'off'], config)).code, 2, 'no --id');
      assert.equal((await invoke(['set', 'ai.tags', '--colour', 'red'], config)).code, 2);

      const badMode = await invoke(['set', 'ai.tags', '--mode', 'sometimes'], config);
      assert.equal(badMode.code, 1);
      assert.match(badMode.output, /\/default\/mode: must be one of off, shadow, on/);
      const badKey = await invoke(['get', 'ai.poetry'], config);
      assert.equal(badKey.code, 1);
      assert.match(badKey.output, /no flag "ai\.poetry"/);
      const noTenant = await invoke(
        ['rule', 'add', 'ai.tags', '--id', 'x', '--tenant', 'no-such-tenant', '--mode', 'off'],
        config,
      );
      assert.equal(noTenant.code, 1);
      assert.match(noTenant.output, /no tenant "no-such-tenant"/);
      assert.equal(
        (await invoke(['rule', 'add', 'ai.tags', '--id', 'x', '--percentage', '10', '--mode', 'off'], config)).code,
        0,
      );
      const duplicate = await invoke(['rule', 'add', 'ai.tags', '--id', 'x', '--mode', 'on'], config);
      assert.equal(duplicate.code, 1);
      assert.match(duplicate.output, /already has a rule "x"/);
      const missing = await invoke(['rule', 'remove', 'ai.tags', 'nope'], config);
      assert.equal(missing.code, 1);
      assert.match(missing.output, /has no rule "nope"/);
    });
  });
}
