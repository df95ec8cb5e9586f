/**
 * `galley usage` and `galley ai calls|settings` against a bench's store and kv on every backend, after real
 * calls through the gateway.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '../../../test/support/backends.ts';
import { cliConfig } from '../../../test/support/cli.ts';
import type { Config } from '../../config/config.ts';
import { type AiBench, openAiBench } from '../../intelligence/gateway/testing.ts';
import { runAi, runUsage } from './ai.ts';

function configFor(bench: AiBench): Config {
  return cliConfig(bench.test, { logLevel: 'silent', promptsDir: bench.config.promptsDir }, bench.redisPrefix);
}

for (const backend of BACKENDS) {
  describe(`galley usage / galley ai (${backend})`, () => {
    let bench: AiBench;
    let slug: string;
    before(async () => {
      bench = await openAiBench(backend);
      bench.startWorker();
      const row = await bench.test.store.db
        .selectFrom('tenants')
        .select('slug')
        .where('id', '=', bench.tenantId)
        .executeTakeFirstOrThrow();
      slug = row.slug;
      const entry = await bench.entry({
        title: 'Tram line approved',
        body: 'The council approved the tram line. It opens in 2029.',
      });
      await bench.answer(entry.id, 'summary');
    });
    after(async () => {
      await bench.cleanup();
    });

    async function invoke(run: typeof runUsage, args: string[]) {
      const lines: string[] = [];
      const code = await run(args, configFor(bench), (l) => lines.push(l));
      return { code, output: lines.join('\n') };
    }

    test('usage prints tokens against the cap and the per-task breakdown', async () => {
      const { code, output } = await invoke(runUsage, ['--tenant', slug]);
      assert.equal(code, 0, output);
      assert.match(output, /tokens {2}[\d,]+ {2}\(cap 2,000,000\)/);
      assert.match(output, /summary +galley-local-1 +1 /);
      const json = await invoke(runUsage, ['--tenant', slug, '--json']);
      assert.ok(JSON.parse(json.output).tokens.used > 0);
    });

    test('settings change the cap and the warnings show; calls lists the audit', async () => {
      const { code, output } = await invoke(runAi, [
        'settings',
        '--tenant',
        slug,
        '--token-cap',
        '100',
        '--at-cap',
        'refuse',
      ]);
      assert.equal(code, 0, output);
      assert.match(output, /CAP REACHED/);
      const calls = await invoke(runAi, ['calls', '--tenant', slug]);
      assert.equal(calls.code, 0, calls.output);
      assert.match(calls.output, /summary +ok +galley-local-1/);
      assert.equal((await invoke(runAi, ['settings', '--tenant', slug, '--at-cap', 'sometimes'])).code, 2);
      assert.equal((await invoke(runUsage, ['--tenant', 'no-such-tenant'])).code, 1);
    });
  });
}
