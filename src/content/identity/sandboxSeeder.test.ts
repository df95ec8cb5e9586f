import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BACKENDS, openTestStore, type TestStore } from '../../../test/support/backends.ts';
import { verifyPassword } from '../../experience/auth/passwordHash.ts';
import { CREDENTIALS_FILE, SANDBOX_OWNER_EMAIL, seedSandbox } from './sandboxSeeder.ts';

for (const backend of BACKENDS) {
  describe(`sandbox seeder (${backend})`, () => {
    let t: TestStore;
    let dataDir: string;
    before(async () => {
      t = await openTestStore(backend);
      dataDir = mkdtempSync(path.join(os.tmpdir(), 'galley-seed-'));
    });
    after(async () => {
      await t.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    });

    test('creates tenant, owner and a 0600 credentials file whose password works', async () => {
      const result = await seedSandbox({ store: t.store, dataDir });
      assert.equal(result.created, true);
      const file = path.join(dataDir, CREDENTIALS_FILE);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const creds = JSON.parse(readFileSync(file, 'utf8'));
      assert.equal(creds.tenant, 'sandbox');
      assert.equal(creds.owner.email, SANDBOX_OWNER_EMAIL);
      const owner = await t.store.db
        .selectFrom('users')
        .selectAll()
        .where('email', '=', SANDBOX_OWNER_EMAIL)
        .executeTakeFirstOrThrow();
      assert.equal(await verifyPassword(creds.owner.password, owner.password_hash ?? ''), true);
      const membership = await t.store.db
        .selectFrom('memberships')
        .select('role')
        .where('tenant_id', '=', result.tenant.id)
        .where('user_id', '=', owner.id)
        .executeTakeFirstOrThrow();
      assert.equal(membership.role, 'owner');
    });

    test('a second run changes nothing', async () => {
      const before = readFileSync(path.join(dataDir, CREDENTIALS_FILE), 'utf8');
      const result = await seedSandbox({ store: t.store, dataDir });
      assert.equal(result.created, false);
      assert.equal(readFileSync(path.join(dataDir, CREDENTIALS_FILE), 'utf8'), before);
    });

    test('with oauth, the file gains the sandbox service client, kept across runs and file loss', async () => {
      const oauth = { issuer: 'http://localhost:8080/oauth', secret: 'a-master-secret-of-at-least-32-chars!!' };
      const first = await seedSandbox({ store: t.store, dataDir, oauth });
      const creds = JSON.parse(readFileSync(path.join(dataDir, CREDENTIALS_FILE), 'utf8'));
      assert.equal(creds.issuer, oauth.issuer);
      assert.equal(creds.tenant, 'sandbox');
      assert.equal(typeof creds.client_id, 'string');
      assert.equal(typeof creds.client_secret, 'string');
      assert.equal(creds.owner.email, SANDBOX_OWNER_EMAIL, 'existing fields kept');
      assert.equal(first.credentials.client_id, creds.client_id);
      const account = await t.store.db
        .selectFrom('service_accounts')
        .selectAll()
        .where('id', '=', creds.client_id)
        .executeTakeFirstOrThrow();
      assert.equal(account.tenant_id, first.tenant.id);
      assert.equal(account.role, 'editor');

      const before = readFileSync(path.join(dataDir, CREDENTIALS_FILE), 'utf8');
      await seedSandbox({ store: t.store, dataDir, oauth });
      assert.equal(readFileSync(path.join(dataDir, CREDENTIALS_FILE), 'utf8'), before, 'a second run changes nothing');

      rmSync(path.join(dataDir, CREDENTIALS_FILE));
      const again = await seedSandbox({ store: t.store, dataDir, oauth });
      assert.equal(again.credentials.client_id, creds.client_id, 'the same client, found again');
      assert.equal(again.credentials.client_secret, creds.client_secret);
    });

    test('a lost credentials file is replaced with a rotated, working password', async () => {
      rmSync(path.join(dataDir, CREDENTIALS_FILE));
      const result = await seedSandbox({ store: t.store, dataDir });
      const owner = await t.store.db
        .selectFrom('users')
        .selectAll()
        .where('email', '=', SANDBOX_OWNER_EMAIL)
        .executeTakeFirstOrThrow();
      assert.equal(await verifyPassword(result.credentials.owner.password, owner.password_hash ?? ''), true);
    });
  });
}
