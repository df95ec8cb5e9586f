/**
 * `galley login` / `whoami` / `logout` end to end against a running server on every backend: the device flow is
 * approved through the `/device` page over HTTP while `runLogin` polls; the stored tokens are refreshed when
 * expired; logout revokes them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildTenant, buildUser } from '../../../test/factories.ts';
import { BACKENDS } from '../../../test/support/backends.ts';
import type { TenantsTable, UsersTable } from '../../data/store/schema.ts';
import { Browser, follow, locationOf, type OauthHarness, startOauthServer } from '../auth/oidc/oauthHarness.ts';
import { CLI_CLIENT_ID } from '../auth/oidc/staticClients.ts';
import { credentialsPath, getAccessToken, readCredentials } from './credentialsStore.ts';
import { runLogin } from './login.ts';
import { runLogout } from './logout.ts';
import { runWhoami } from './whoami.ts';

const PASSWORD = 'correct horse battery staple';

function xsrfOf(html: string): string {
  const match = /name="xsrf" value="([^"]+)"/.exec(html);
  assert.ok(match?.[1], 'the page carries an xsrf token');
  return match[1];
}

/** Approves a user code as a person would: /device, enter the code, confirm, sign in. */
async function approveDevice(h: OauthHarness, userCode: string, user: { email: string }): Promise<void> {
  const browser = new Browser();
  const entry = await follow(browser, h.base, `${h.base}/device`);
  const entered = await browser.request(`${h.base}/oauth/device`, {
    method: 'POST',
    form: { xsrf: xsrfOf(await entry.response.text()), user_code: userCode },
  });
  const confirmPage = await entered.text();
  const confirmed = await browser.request(`${h.base}/oauth/device`, {
    method: 'POST',
    form: { xsrf: xsrfOf(confirmPage), user_code: userCode, confirm: 'yes' },
  });
  const login = await follow(browser, h.base, locationOf(confirmed, h.base));
  await login.response.text();
  const posted = await browser.request(`${login.url}/login`, {
    method: 'POST',
    form: { email: user.email, password: PASSWORD, tenant: '' },
  });
  const success = await follow(browser, h.base, locationOf(posted, h.base));
  assert.match(await success.response.text(), /Device connected/);
}

for (const backend of BACKENDS) {
  describe(`galley login / whoami / logout (${backend})`, () => {
    let h: OauthHarness;
    let tenant: TenantsTable;
    let user: UsersTable;
    let configDir: string;
    const previousDir = process.env.GALLEY_CONFIG_DIR;
    before(async () => {
      configDir = mkdtempSync(path.join(os.tmpdir(), 'galley-cli-'));
      process.env.GALLEY_CONFIG_DIR = path.join(configDir, 'nested');
      h = await startOauthServer(backend);
      tenant = await buildTenant(h.plane.store.db);
      await buildTenant(h.plane.store.db); // another tenant, so --tenant matters
      user = await buildUser(h.plane.store.db, { tenantId: tenant.id, role: 'author', password: PASSWORD });
    });
    after(async () => {
      await h.close();
      rmSync(configDir, { recursive: true, force: true });
      if (previousDir === undefined) delete process.env.GALLEY_CONFIG_DIR;
      else process.env.GALLEY_CONFIG_DIR = previousDir;
    });

    test('device login, whoami, refresh on expiry, logout with revocation', async () => {
      const lines: string[] = [];
      let approval: Promise<void> | undefined;
      // A failed approval stops the polling instead of leaving it to the code's 10-minute expiry.
      const stop = new AbortController();
      const onLine = (line: string) => {
        lines.push(line);
        const userCode = /code: ([A-Z]{4}-[A-Z]{4})/.exec(line)?.[1];
        if (userCode === undefined) return;
        approval = approveDevice(h, userCode, user);
        approval.catch(() => stop.abort());
      };
      const code = await runLogin(['--url', h.base, '--tenant', tenant.slug], h.config, onLine, {
        signal: stop.signal,
      });
      await approval;
      assert.equal(code, 0, lines.join('\n'));
      assert.ok(
        lines.some((l) => l.includes(`${h.base}/oauth/device`)),
        'prints the verification URL',
      );
      assert.ok(
        lines.some((l) => l.includes(user.email)),
        lines.join('\n'),
      );

      const file = credentialsPath();
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(statSync(path.dirname(file)).mode & 0o777, 0o700);
      const stored = readCredentials(h.base);
      assert.ok(stored, 'an entry for the server');
      assert.equal(stored.clientId, CLI_CLIENT_ID);
      assert.equal(stored.issuer, `${h.base}/oauth`);
      assert.equal(stored.tenant, tenant.slug);

      const who: string[] = [];
      assert.equal(await runWhoami(['--url', h.base], h.config, (l) => who.push(l)), 0, who.join('\n'));
      assert.ok(
        who.some((l) => l.includes(user.email)),
        who.join('\n'),
      );
      assert.ok(
        who.some((l) => l.includes(tenant.slug) && l.startsWith('tenant')),
        who.join('\n'),
      );
      assert.ok(
        who.some((l) => l === 'role:    author'),
        who.join('\n'),
      );

      // An expired access token is refreshed (and the rotated set stored) before use.
      const content = JSON.parse(readFileSync(file, 'utf8')) as { servers: Record<string, { expiresAt: number }> };
      const entry = content.servers[h.base];
      assert.ok(entry);
      entry.expiresAt = Math.floor(Date.now() / 1000) - 10;
      writeFileSync(file, JSON.stringify(content), { mode: 0o600 });
      const fresh = await getAccessToken(h.base);
      const rotated = readCredentials(h.base);
      assert.ok(rotated);
      assert.equal(fresh, rotated.accessToken);
      assert.notEqual(rotated.refreshToken, stored.refreshToken, 'the refresh token rotated');
      assert.ok(rotated.expiresAt > Date.now() / 1000 + 200);
      assert.equal(await runWhoami([], h.config, () => {}), 0, 'the only stored server is the default');

      const out: string[] = [];
      assert.equal(await runLogout(['--url', h.base], h.config, (l) => out.push(l)), 0, out.join('\n'));
      assert.equal(readCredentials(h.base), undefined, 'the entry is gone');
      const refresh = await fetch(`${h.base}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: rotated.refreshToken,
          client_id: CLI_CLIENT_ID,
        }).toString(),
      });
      assert.equal(((await refresh.json()) as { error: string }).error, 'invalid_grant', 'revoked at the server');
      const after: string[] = [];
      assert.equal(await runWhoami(['--url', h.base], h.config, (l) => after.push(l)), 1);
      assert.match(after.join('\n'), /not logged in/);
    });

    test('plain http to a non-loopback host is refused', async () => {
      const out: string[] = [];
      assert.equal(await runLogin(['--url', 'http://galley.example'], h.config, (l) => out.push(l)), 1);
      assert.match(out.join('\n'), /refusing plain http/);
    });
  });
}
