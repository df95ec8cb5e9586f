/** SSO provider registry on every backend: validation, sealing, tenant isolation, events; and the login checks. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTenant, buildUser } from '../../../../test/factories.ts';
import { BACKENDS, openTestStore, type TestStore } from '../../../../test/support/backends.ts';
import { createEventLog } from '../../../data/events/eventLog.ts';
import type { TenantsTable } from '../../../data/store/schema.ts';
import { isGalleyError } from '../../errors/errors.ts';
import { completeSsoLogin } from './ssoLogin.ts';
import {
  addSsoProvider,
  findSsoProvider,
  isLoopbackHost,
  listSsoProviders,
  removeSsoProvider,
  type SsoProviderAdderProps,
} from './ssoProviders.ts';
import { classifyExchangeError, SsoError } from './ssoUpstream.ts';

const SECRET = 'sso-registry-secret-0123456789abcdefghijk';

const code = (expected: string) => (e: unknown) => isGalleyError(e) && e.code === expected;

describe('issuer hosts', () => {
  test('only localhost, 127.0.0.0/8 and ::1 count as loopback', () => {
    for (const host of ['localhost', '127.0.0.1', '127.10.20.30', '[::1]']) assert.equal(isLoopbackHost(host), true);
    for (const host of ['idp.example', '10.0.0.1', '127.0.0.1.nip.io', '0.0.0.0']) {
      assert.equal(isLoopbackHost(host), false, host);
    }
  });

  test('network failures and unknown errors map to bounded reasons', () => {
    assert.equal(classifyExchangeError(new TypeError('fetch failed')).reason, 'upstream_error');
    assert.equal(classifyExchangeError(new Error('boom')).code, 'GALLEY_INTERNAL');
    const known = new SsoError('GALLEY_SSO_STATE_INVALID', 'invalid_state', 'x');
    assert.equal(classifyExchangeError(known), known);
  });
});

for (const backend of BACKENDS) {
  describe(`SSO providers (${backend})`, () => {
    let t: TestStore;
    let tenant: TenantsTable;
    let other: TenantsTable;
    const props = (overrides: Partial<SsoProviderAdderProps> = {}): SsoProviderAdderProps => ({
      db: t.store.db,
      secret: SECRET,
      tenantId: tenant.id,
      name: `IdP ${Math.random().toString(36).slice(2, 8)}`,
      issuer: 'https://login.news.example/realms/news',
      clientId: 'galley',
      clientSecret: 'upstream-client-secret',
      domains: ['news.example'],
      actor: 'system',
      ...overrides,
    });

    before(async () => {
      t = await openTestStore(backend);
      tenant = await buildTenant(t.store.db);
      other = await buildTenant(t.store.db);
    });
    after(async () => {
      await t.cleanup();
    });

    test('adds a provider: secret sealed at rest, domains normalised, event recorded', async () => {
      const added = await addSsoProvider(
        props({ name: 'Newsroom', domains: ['News.Example', '@wire.example', 'news.example', ' '] }),
      );
      assert.deepEqual(added.domains, ['news.example', 'wire.example']);
      assert.equal(added.defaultRole, 'author');
      assert.equal('clientSecret' in added, false);
      const row = await t.store.db
        .withTables<{ sso_providers: { id: string; client_secret_sealed: string } }>()
        .selectFrom('sso_providers')
        .select('client_secret_sealed')
        .where('id', '=', added.id)
        .executeTakeFirstOrThrow();
      assert.doesNotMatch(row.client_secret_sealed, /upstream-client-secret/);
      const found = await findSsoProvider(t.store, SECRET, tenant.id, added.id);
      assert.equal(found?.clientSecret, 'upstream-client-secret');
      const events = await createEventLog(t.store).readTenant(tenant.id, 0, 100, { names: ['sso_provider.added'] });
      const event = events.find((e) => e.subjectId === added.id);
      assert.ok(event);
      assert.doesNotMatch(JSON.stringify(event.data), /upstream-client-secret/);
    });

    test('refuses bad input with stable codes', async () => {
      const cases: Partial<SsoProviderAdderProps>[] = [
        { issuer: 'http://login.news.example' },
        { issuer: 'https://login.news.example/?tenant=x' },
        { issuer: 'not a url' },
        { domains: ['not a domain'] },
        { defaultRole: 'owner' },
        { name: '   ' },
        { clientSecret: '' },
      ];
      for (const c of cases) {
        await assert.rejects(addSsoProvider(props(c)), code('GALLEY_VALIDATION_FAILED'), JSON.stringify(c));
      }
      await addSsoProvider(props({ name: 'Local', issuer: 'http://127.0.0.1:8080' }));
      await assert.rejects(addSsoProvider(props({ name: 'Local' })), code('GALLEY_CONFLICT'));
      await assert.rejects(addSsoProvider(props({ tenantId: 'no-such-tenant' })), code('GALLEY_NOT_FOUND'));
    });

    test('lists and removes within the tenant only', async () => {
      const mine = await addSsoProvider(props({ name: 'Zeta' }));
      const theirs = await addSsoProvider(props({ tenantId: other.id, name: 'Zeta' }));
      const names = (await listSsoProviders(t.store, tenant.id)).map((p) => p.name);
      assert.ok(names.includes('Zeta'));
      assert.deepEqual(
        (await listSsoProviders(t.store, other.id)).map((p) => p.id),
        [theirs.id],
      );
      assert.equal(await findSsoProvider(t.store, SECRET, tenant.id, theirs.id), undefined);
      await assert.rejects(
        removeSsoProvider({ db: t.store.db, tenantId: tenant.id, providerId: theirs.id, actor: 'system' }),
        code('GALLEY_NOT_FOUND'),
      );
      await removeSsoProvider({ db: t.store.db, tenantId: tenant.id, providerId: mine.id, actor: 'system' });
      assert.equal(await findSsoProvider(t.store, SECRET, tenant.id, mine.id), undefined);
      assert.equal((await listSsoProviders(t.store, other.id)).length, 1);
    });

    test('two first sign-ins of one person at once make one user and one membership', async () => {
      const provider = await addSsoProvider(props({ name: 'Race', defaultRole: 'viewer' }));
      const identity = { subject: 's1', email: 'Racer@News.Example', emailVerified: true, name: undefined };
      const results = await Promise.all(
        Array.from({ length: 4 }, () => completeSsoLogin({ db: t.store.db, provider, identity })),
      );
      assert.equal(new Set(results.map((r) => r.userId)).size, 1);
      assert.equal(results.filter((r) => r.userCreated).length, 1);
      assert.ok(results.every((r) => r.role === 'viewer'));
      const users = await t.store.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', 'racer@news.example')
        .execute();
      assert.equal(users.length, 1);
    });

    test('a verified member from any domain signs in; strangers from other domains do not', async () => {
      const provider = await addSsoProvider(props({ name: 'Strict', domains: [] }));
      const member = await buildUser(t.store.db, { tenantId: tenant.id, role: 'editor', email: 'm@anywhere.example' });
      const ok = await completeSsoLogin({
        db: t.store.db,
        provider,
        identity: { subject: 'm', email: 'm@anywhere.example', emailVerified: true, name: undefined },
      });
      assert.deepEqual([ok.userId, ok.role, ok.joined], [member.id, 'editor', false]);
      await assert.rejects(
        completeSsoLogin({
          db: t.store.db,
          provider,
          identity: { subject: 'x', email: 'x@news.example', emailVerified: true, name: undefined },
        }),
        code('GALLEY_SSO_DOMAIN_NOT_ALLOWED'),
      );
    });
  });
}
