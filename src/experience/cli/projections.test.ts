/** `galley projections rebuild [--verify]` against a real store on every backend. */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildArticleType, buildEntry, buildPrincipal, buildTenant } from '../../../test/factories.ts';
import { BACKENDS, openTestStore, type TestStore } from '../../../test/support/backends.ts';
import { cliConfig, runCli } from '../../../test/support/cli.ts';
import type { Config } from '../../config/config.ts';
import { publishEntry } from '../../content/entries/entryPublisher.ts';
import { contentDb } from '../../content/entries/tables.ts';
import type { TenantsTable } from '../../data/store/schema.ts';
import { runProjections } from './projections.ts';

/** A config whose store is the test store's database (its file, or its schema). */
function configFor(t: TestStore): Config {
  return cliConfig(t, { secret: 'projections-cli-secret-0123456789abcdefghij', publicUrl: 'https://galley.example' });
}

function invoke(args: readonly string[], config: Config) {
  return runCli(runProjections, args, config);
}

for (const backend of BACKENDS) {
  describe(`galley projections (${backend})`, () => {
    let t: TestStore;
    let tenant: TenantsTable;
    let config: Config;
    before(async () => {
      t = await openTestStore(backend);
      tenant = await buildTenant(t.store.db);
      await buildArticleType(t.store, tenant.id);
      const actor = buildPrincipal({ tenantId: tenant.id });
      for (let i = 0; i < 5; i++) {
        const entry = await buildEntry(t.store, {
          tenantId: tenant.id,
          actor,
          fields: { title: `CLI ${i}`, tags: ['cli'] },
        });
        if (i % 2 === 0) await publishEntry({ store: t.store, actor, tenantId: tenant.id, id: entry.id });
      }
      config = configFor(t);
    });
    after(async () => {
      await t.cleanup();
    });

    test('--verify passes on a consistent store', async () => {
      const { code, output } = await invoke(['rebuild', '--verify'], config);
      assert.equal(code, 0, output);
      assert.match(output, new RegExp(`${tenant.slug}: 8 entry events replayed in \\d+ ms; equal`));
      assert.match(output, /stored read models equal the replay/);
    });

    test('--verify prints differences and exits 1; rebuild corrects them', async () => {
      await contentDb(t.store.db).deleteFrom('published_entries').where('tenant_id', '=', tenant.id).execute();
      const verify = await invoke(['rebuild', '--tenant', tenant.slug, '--verify'], config);
      assert.equal(verify.code, 1, verify.output);
      assert.match(
        verify.output,
        /published_entries: 0 stored row\(s\) not reproduced by the replay, 3 replayed row\(s\) not stored/,
      );
      assert.match(verify.output, /replay +\{"tenant_id"/);
      const rebuild = await invoke(['rebuild', '--tenant', tenant.slug], config);
      assert.equal(rebuild.code, 0, rebuild.output);
      assert.match(rebuild.output, /3 differing row\(s\) corrected/);
      assert.equal((await invoke(['rebuild', '--verify'], config)).code, 0);
    });

    test('bad usage exits 2; an unknown tenant exits 1', async () => {
      assert.equal((await invoke([], config)).code, 2);
      assert.equal((await invoke(['rebuild', '--bogus'], config)).code, 2);
      const unknown = await invoke(['rebuild', '--tenant', 'no-such-tenant'], config);
      assert.equal(unknown.code, 1);
      assert.match(unknown.output, /no tenant "no-such-tenant"/);
    });
  });
}
