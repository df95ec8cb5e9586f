/** `galley sso add|list|remove` against a real store on every backend. */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTenant } from '../../../test/factories.ts';
import { BACKENDS, openTestStore, type TestStore } from '../../../test/support/backends.ts';
import { cliConfig, runCli } from '../../../test/support/cli.ts';
import type { Config } from '../../config/config.ts';
import type { TenantsTable } from '../../data/store/schema.ts';
import { findSsoProvider, listSsoProviders } from '../auth/sso/ssoProviders.ts';
import { runSso } from './sso.ts';

const SECRET = 'sso-cli-secret-0123456789abcdefghijklmnopq';

/** A config whose store is the test store's database (its file, or its schema). */
function configFor(t: TestStore): Config {
  return cliConfig(t, { secret: SECRET, publicUrl: 'https://galley.example' });
}

function invoke(args: readonly string[], config: Config) {
  return runCli(runSso, args, config);
}

for (const backend of BACKENDS) {
  describe(`galley sso (${backend})`, () => {
    let t: TestStore;
    let tenant: TenantsTable;
    let config: Config;
    before(async () => {
      t = await openTestStore(backend);
      tenant = await buildTenant(t.store.db);
      config = configFor(t);
    });
    after(async () => {
      await t.cleanup();
    });

    test('add, list and remove a provider', async () => {
      const added = await invoke(
        [
          'add',
          '--tenant',
          tenant.slug,
          '--name',
          'Newsroom',
          '--issuer',
          'https://login.news.example',
          '--client-id',
          'galley',
          '--client-secret',
          'the-upstream-secret',
          '--domains',
          'news.example,Wire.example',
          '--role',
          'editor',
        ],
        config,
      );
      assert.equal(added.code, 0, added.output);
      assert.match(added.output, /redirect URI at the provider: https:\/\/galley\.example\/auth\/sso\/callback/);
      const [provider] = await listSsoProviders(t.store, tenant.id);
      assert.ok(provider);
      assert.deepEqual(
        [provider.name, provider.defaultRole, provider.domains],
        ['Newsroom', 'editor', ['news.example', 'wire.example']],
      );
      assert.equal(
        (await findSsoProvider(t.store, SECRET, tenant.id, provider.id))?.clientSecret,
        'the-upstream-secret',
      );

      const listed = await invoke(['list', '--tenant', tenant.slug], config);
      assert.equal(listed.code, 0);
      assert.match(
        listed.output,
        new RegExp(`${provider.id}  Newsroom .*domains=news.example,wire.example  role=editor`),
      );
      assert.doesNotMatch(listed.output, /the-upstream-secret/);

      const removed = await invoke(['remove', '--tenant', tenant.slug, '--id', provider.id], config);
      assert.equal(removed.code, 0, removed.output);
      assert.deepEqual(await listSsoProviders(t.store, tenant.id), []);
    });

    test('bad usage exits 2, refused input and unknown tenants exit 1', async () => {
      assert.equal((await invoke(['frobnicate'], config)).code, 2);
      assert.equal((await invoke(['list', '--bogus'], config)).code, 2);
      assert.equal((await invoke(['list'], config)).code, 2);
      assert.equal((await invoke(['add', '--tenant', tenant.slug, '--role', 'owner'], config)).code, 2);
      const insecure = await invoke(
        [
          'add',
          '--tenant',
          tenant.slug,
          '--name',
          'Plain',
          '--issuer',
          'http://login.news.example',
          '--client-id',
          'x',
          '--client-secret',
          'y',
        ],
        config,
      );
      assert.equal(insecure.code, 1);
      assert.match(insecure.output, /https/);
      assert.equal((await invoke(['list', '--tenant', 'no-such-tenant'], config)).code, 1);
    });
  });
}
