/**
 * Account recovery over HTTP on every backend, through buildApp with a real data plane: forgot → the outbox
 * mail's link → reset → password login with the new password → token reuse refused; email verification;
 * expired tokens; the per-IP cap of the forgot form.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildTenant, buildUser } from '../../../../test/factories.ts';
import { BACKENDS, type Backend, openTestStore, uniqueName } from '../../../../test/support/backends.ts';
import { testPlane } from '../../../../test/support/plane.ts';
import { deleteRedisKeys } from '../../../../test/support/redisKeys.ts';
import { buildApp } from '../../../app.ts';
import { loadConfig } from '../../../config/config.ts';
import type { DataPlane } from '../../../data/dataPlane.ts';
import { createOutboxMailer, readOutbox } from '../../../data/mail/outbox/outboxMailer.ts';
import type { Store } from '../../../data/store/port.ts';
import { createPasswordAuthenticator } from '../password/passwordLogin.ts';
import { requestEmailVerification } from './emailVerificationRequester.ts';
import { emailVerificationPageUrl, FORGOT_PER_IP_PER_MINUTE, passwordResetPageUrl } from './routes.ts';
import type { AccountTokenTables } from './tables.ts';

const config = loadConfig(
  {},
  { logLevel: 'silent', maxEventLoopDelayMs: 0, publicUrl: 'https://cms.example.test', smtpUrl: undefined },
);
const NEW_PASSWORD = 'my new long passphrase';

/** A real data plane on the backend (the store is a fresh test store; Redis parts under a fresh prefix). */
async function openPlane(backend: Backend): Promise<{ plane: DataPlane; cleanup(): Promise<void> }> {
  const t = await openTestStore(backend);
  const store = t.store;
  const prefix = uniqueName('recoveryhttp');
  const plane = testPlane(backend, store, prefix);
  return {
    plane,
    async cleanup() {
      await plane.close();
      await t.cleanup();
      if (backend === 'distributed') await deleteRedisKeys(`${prefix}:*`);
    },
  };
}

/** Polls until the outbox holds a mail to `to` with a token link (the forgot route mails in the background). */
async function awaitMailedToken(store: Store, to: string, base: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const [mail] = await readOutbox(store, { to, limit: 1 });
    if (mail !== undefined) {
      const link = mail.text_body.split('\n').find((line) => line.startsWith(`${base}?token=`));
      assert.ok(link, `the mail links to ${base}`);
      const token = new URL(link).searchParams.get('token');
      assert.ok(token);
      return token;
    }
    if (Date.now() > deadline) assert.fail(`no mail to ${to} within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

for (const backend of BACKENDS) {
  describe(`account recovery over HTTP (${backend})`, () => {
    let opened: Awaited<ReturnType<typeof openPlane>>;
    let app: FastifyInstance;
    let store: Store;
    let tenantId: string;
    let ipSeq = 0;
    /** A distinct client address per request group, so the forgot cap only bites where a test wants it. */
    const nextIp = () => `198.51.100.${++ipSeq}`;

    before(async () => {
      opened = await openPlane(backend);
      store = opened.plane.store;
      app = await buildApp(config, opened.plane, { logger: false });
      tenantId = (await buildTenant(store.db)).id;
    });
    after(async () => {
      await app.close();
      await opened.cleanup();
    });

    const post = (url: string, payload: Record<string, unknown>, ip = nextIp()): Promise<LightMyRequestResponse> =>
      app.inject({ method: 'POST', url, payload, remoteAddress: ip });

    test('reset end to end: forgot → mailed link → reset → login with the new password → reuse refused', async () => {
      const user = await buildUser(store.db, { tenantId, role: 'editor', password: 'the old passphrase' });
      const forgot = await post('/auth/password/forgot', { email: user.email });
      assert.equal(forgot.statusCode, 202);
      assert.deepEqual(forgot.json(), { status: 'accepted' });

      const token = await awaitMailedToken(store, user.email, passwordResetPageUrl(config));
      const reset = await post('/auth/password/reset', { token, password: NEW_PASSWORD });
      assert.equal(reset.statusCode, 204);
      assert.equal(reset.body, '');

      const login = createPasswordAuthenticator();
      const kv = opened.plane.kv;
      assert.deepEqual(await login({ store, kv, email: user.email, password: NEW_PASSWORD, ip: nextIp() }), {
        ok: true,
        userId: user.id,
      });
      const old = await login({ store, kv, email: user.email, password: 'the old passphrase', ip: nextIp() });
      assert.equal(old.ok, false);

      const again = await post('/auth/password/reset', { token, password: 'yet another passphrase' });
      assert.equal(again.statusCode, 400);
      assert.match(String(again.headers['content-type']), /^application\/problem\+json/);
      assert.equal(again.json().code, 'GALLEY_TOKEN_INVALID');
    });

    test('forgot answers the same for an unknown address and sends nothing', async () => {
      const email = `${uniqueName('nobody')}@example.test`;
      const known = await buildUser(store.db, { tenantId, password: 'the old passphrase' });
      const a = await post('/auth/password/forgot', { email });
      const b = await post('/auth/password/forgot', { email: known.email });
      assert.equal(a.statusCode, 202);
      assert.equal(b.statusCode, 202);
      assert.equal(a.body, b.body);
      await awaitMailedToken(store, known.email, passwordResetPageUrl(config));
      assert.equal((await readOutbox(store, { to: email })).length, 0);
    });

    test('bad bodies are 400 problems', async () => {
      const res = await post('/auth/password/reset', { token: 'abc', password: 'short' });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().code, 'GALLEY_VALIDATION_FAILED');
      const extra = await post('/auth/password/forgot', { email: 'a@example.test', admin: true });
      assert.equal(extra.statusCode, 400);
    });

    test('an expired reset token is refused with GALLEY_TOKEN_INVALID', async () => {
      const user = await buildUser(store.db, { tenantId, password: 'the old passphrase' });
      await post('/auth/password/forgot', { email: user.email });
      const token = await awaitMailedToken(store, user.email, passwordResetPageUrl(config));
      await store.db
        .withTables<AccountTokenTables>()
        .updateTable('account_tokens')
        .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
        .where('user_id', '=', user.id)
        .execute();
      const res = await post('/auth/password/reset', { token, password: NEW_PASSWORD });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().code, 'GALLEY_TOKEN_INVALID');
    });

    test('email verification end to end, reuse and expiry refused', async () => {
      const user = await buildUser(store.db, { tenantId, role: 'viewer' });
      const mailer = createOutboxMailer(store);
      await requestEmailVerification({
        store,
        mailer,
        userId: user.id,
        verifyUrlBase: emailVerificationPageUrl(config),
      });
      const token = await awaitMailedToken(store, user.email, emailVerificationPageUrl(config));
      assert.equal((await post('/auth/email/verify', { token })).statusCode, 204);
      const row = await store.db
        .selectFrom('users')
        .select('email_verified')
        .where('id', '=', user.id)
        .executeTakeFirstOrThrow();
      assert.equal(Number(row.email_verified), 1);
      const reuse = await post('/auth/email/verify', { token });
      assert.equal(reuse.statusCode, 400);
      assert.equal(reuse.json().code, 'GALLEY_TOKEN_INVALID');

      const other = await buildUser(store.db, { tenantId });
      await requestEmailVerification({
        store,
        mailer,
        userId: other.id,
        verifyUrlBase: emailVerificationPageUrl(config),
      });
      const stale = await awaitMailedToken(store, other.email, emailVerificationPageUrl(config));
      await store.db
        .withTables<AccountTokenTables>()
        .updateTable('account_tokens')
        .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
        .where('user_id', '=', other.id)
        .execute();
      assert.equal((await post('/auth/email/verify', { token: stale })).statusCode, 400);
      await mailer.close();
    });

    test(`forgot is capped at ${FORGOT_PER_IP_PER_MINUTE} per minute per client address`, async () => {
      const ip = nextIp();
      for (let i = 0; i < FORGOT_PER_IP_PER_MINUTE; i += 1) {
        const res = await post('/auth/password/forgot', { email: `${uniqueName('x')}@example.test` }, ip);
        assert.equal(res.statusCode, 202);
      }
      const refused = await post('/auth/password/forgot', { email: 'late@example.test' }, ip);
      assert.equal(refused.statusCode, 429);
      assert.equal(refused.json().code, 'GALLEY_RATE_LIMITED');
      assert.ok(Number(refused.headers['retry-after']) > 0);
      assert.equal((await post('/auth/password/forgot', { email: 'late@example.test' })).statusCode, 202);
    });
  });
}
