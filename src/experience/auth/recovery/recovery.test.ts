/** Password reset and email verification use cases on every backend (real store, outbox mailer, kv). */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTenant, buildUser } from '../../../../test/factories.ts';
import { BACKENDS, openTestStore, TEST_REDIS_URL, uniqueName } from '../../../../test/support/backends.ts';
import { createEventLog } from '../../../data/events/eventLog.ts';
import type { Kv } from '../../../data/kv/port.ts';
import { createRedisKv } from '../../../data/kv/redis/redisKv.ts';
import { createSqliteKv } from '../../../data/kv/sqlite/sqliteKv.ts';
import { createOutboxMailer, readOutbox } from '../../../data/mail/outbox/outboxMailer.ts';
import type { Mailer } from '../../../data/mail/port.ts';
import type { Store } from '../../../data/store/port.ts';
import { isGalleyError } from '../../errors/errors.ts';
import { verifyPassword } from '../passwordHash.ts';
import { ACCOUNT_TOKEN_TTL_MS, hashAccountToken } from './accountTokens.ts';
import { requestEmailVerification } from './emailVerificationRequester.ts';
import { verifyEmail } from './emailVerifier.ts';
import { ACCOUNT_MAIL_LIMIT } from './mailThrottle.ts';
import { requestPasswordReset } from './passwordResetRequester.ts';
import { resetPassword } from './passwordResetter.ts';

const RESET_BASE = 'https://galley.test/account/reset-password';
const VERIFY_BASE = 'https://galley.test/account/verify-email';
const NEW_PASSWORD = 'a brand new passphrase';

/** The token of the newest mail to `to`. */
async function tokenMailedTo(store: Store, to: string): Promise<string> {
  const [mail] = await readOutbox(store, { to, limit: 1 });
  assert.ok(mail, `a mail to ${to}`);
  const token = /[?&]token=([A-Za-z0-9_-]{43})(?:\s|$)/m.exec(mail.text_body)?.[1];
  assert.ok(token, 'the mail carries a token link');
  return token;
}

/** The tenant's events after seq `afterSeq`. */
function readTenantEvents(store: Store, tenantId: string, afterSeq: number) {
  return createEventLog(store).readTenant(tenantId, afterSeq, 100);
}

const tokenInvalid = (error: unknown) => isGalleyError(error, 'GALLEY_TOKEN_INVALID');

for (const backend of BACKENDS) {
  describe(`account recovery (${backend})`, () => {
    let store: Store;
    let kv: Kv;
    let mailer: Mailer;
    let cleanup: () => Promise<void>;
    let tenantId: string;

    before(async () => {
      const t = await openTestStore(backend);
      store = t.store;
      kv =
        backend === 'embedded'
          ? createSqliteKv(t.store)
          : createRedisKv({ url: TEST_REDIS_URL, prefix: uniqueName('recovery') });
      mailer = createOutboxMailer(t.store);
      cleanup = async () => {
        await mailer.close();
        await kv.close();
        await t.cleanup();
      };
      tenantId = (await buildTenant(store.db)).id;
    });
    after(async () => cleanup());

    test('an unknown address gets no mail and no token, and the call looks the same', async () => {
      const email = `${uniqueName('nobody')}@example.test`;
      const result = await requestPasswordReset({ store, kv, mailer, email, resetUrlBase: RESET_BASE });
      assert.deepEqual(result, { sent: false });
      assert.equal((await readOutbox(store, { to: email })).length, 0);
    });

    test('reset: mail with a link, token stored only as its hash, new password set, event recorded', async () => {
      const user = await buildUser(store.db, { tenantId, role: 'author', password: 'the original password' });
      await requestPasswordReset({ store, kv, mailer, email: user.email.toUpperCase(), resetUrlBase: RESET_BASE });
      const [mail] = await readOutbox(store, { to: user.email, limit: 1 });
      assert.ok(mail);
      assert.match(mail.text_body, /^https:\/\/galley\.test\/account\/reset-password\?token=/m);
      const token = await tokenMailedTo(store, user.email);

      const rows = await store.db
        .withTables<{ account_tokens: { token_hash: string; user_id: string } }>()
        .selectFrom('account_tokens')
        .selectAll()
        .where('user_id', '=', user.id)
        .execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.token_hash, hashAccountToken(token));
      assert.ok(!JSON.stringify(rows).includes(token), 'the clear token is not stored');

      const before = await createEventLog(store).head(tenantId);
      assert.deepEqual(await resetPassword({ store, token, newPassword: NEW_PASSWORD }), { userId: user.id });
      const stored = await store.db.selectFrom('users').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow();
      assert.ok(stored.password_hash !== null && (await verifyPassword(NEW_PASSWORD, stored.password_hash)));
      assert.equal(Number(stored.email_verified), 1);
      const events = await readTenantEvents(store, tenantId, before);
      assert.deepEqual(
        events.map((e) => [e.name, e.subjectId, e.actor]),
        [['user.password_reset', user.id, `user:${user.id}`]],
      );
      await assert.rejects(resetPassword({ store, token, newPassword: 'another passphrase' }), tokenInvalid);
    });

    test('an expired reset token is refused, and so is a malformed one', async () => {
      const user = await buildUser(store.db, { tenantId, password: 'the original password' });
      await requestPasswordReset({ store, mailer, email: user.email, resetUrlBase: RESET_BASE });
      const token = await tokenMailedTo(store, user.email);
      const later = new Date(Date.now() + ACCOUNT_TOKEN_TTL_MS.password_reset + 1000);
      await assert.rejects(resetPassword({ store, token, newPassword: NEW_PASSWORD, now: later }), tokenInvalid);
      await assert.rejects(resetPassword({ store, token: 'x', newPassword: NEW_PASSWORD }), tokenInvalid);
      // A different last character (a fixed 'A' would be no change at all for 1 token in 64).
      const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
      await assert.rejects(resetPassword({ store, token: tampered, newPassword: NEW_PASSWORD }), tokenInvalid);
    });

    test('a too-short password is refused without spending the token', async () => {
      const user = await buildUser(store.db, { tenantId, password: 'the original password' });
      await requestPasswordReset({ store, mailer, email: user.email, resetUrlBase: RESET_BASE });
      const token = await tokenMailedTo(store, user.email);
      await assert.rejects(resetPassword({ store, token, newPassword: 'short' }), (e) =>
        isGalleyError(e, 'GALLEY_VALIDATION_FAILED'),
      );
      await resetPassword({ store, token, newPassword: NEW_PASSWORD });
    });

    test('concurrent uses of one token: exactly one wins', async () => {
      const user = await buildUser(store.db, { tenantId, password: 'the original password' });
      await requestPasswordReset({ store, mailer, email: user.email, resetUrlBase: RESET_BASE });
      const token = await tokenMailedTo(store, user.email);
      const results = await Promise.allSettled(
        Array.from({ length: 4 }, (_, i) => resetPassword({ store, token, newPassword: `${NEW_PASSWORD} ${i}` })),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') assert.ok(tokenInvalid(r.reason));
    });

    test('a reset spends the older links of the same user', async () => {
      const user = await buildUser(store.db, { tenantId, password: 'the original password' });
      await requestPasswordReset({ store, mailer, email: user.email, resetUrlBase: RESET_BASE });
      const first = await tokenMailedTo(store, user.email);
      await requestPasswordReset({ store, mailer, email: user.email, resetUrlBase: RESET_BASE });
      const second = await tokenMailedTo(store, user.email);
      assert.notEqual(first, second);
      await resetPassword({ store, token: second, newPassword: NEW_PASSWORD });
      await assert.rejects(resetPassword({ store, token: first, newPassword: NEW_PASSWORD }), tokenInvalid);
    });

    test(`at most ${ACCOUNT_MAIL_LIMIT} reset mails per address per window`, async () => {
      const user = await buildUser(store.db, { tenantId, password: 'the original password' });
      const sent = [];
      for (let i = 0; i <= ACCOUNT_MAIL_LIMIT; i += 1) {
        sent.push(
          (await requestPasswordReset({ store, kv, mailer, email: user.email, resetUrlBase: RESET_BASE })).sent,
        );
      }
      assert.deepEqual(sent, [...Array.from({ length: ACCOUNT_MAIL_LIMIT }, () => true), false]);
      assert.equal((await readOutbox(store, { to: user.email, limit: 10 })).length, ACCOUNT_MAIL_LIMIT);
    });

    test('verification: link mailed, address verified once, event recorded, no mail once verified', async () => {
      const user = await buildUser(store.db, { tenantId, role: 'viewer' });
      assert.deepEqual(
        await requestEmailVerification({ store, kv, mailer, userId: user.id, verifyUrlBase: VERIFY_BASE }),
        { sent: true },
      );
      const token = await tokenMailedTo(store, user.email);
      const before = await createEventLog(store).head(tenantId);
      assert.deepEqual(await verifyEmail({ store, token }), { userId: user.id });
      const row = await store.db
        .selectFrom('users')
        .select('email_verified')
        .where('id', '=', user.id)
        .executeTakeFirstOrThrow();
      assert.equal(Number(row.email_verified), 1);
      assert.deepEqual(
        (await readTenantEvents(store, tenantId, before)).map((e) => e.name),
        ['user.email_verified'],
      );
      await assert.rejects(verifyEmail({ store, token }), tokenInvalid);
      assert.deepEqual(await requestEmailVerification({ store, mailer, userId: user.id, verifyUrlBase: VERIFY_BASE }), {
        sent: false,
      });
    });

    test('an expired verification token is refused; a reset token cannot verify an address', async () => {
      const user = await buildUser(store.db, { tenantId, password: 'the original password' });
      await requestEmailVerification({ store, mailer, userId: user.id, verifyUrlBase: VERIFY_BASE });
      const token = await tokenMailedTo(store, user.email);
      const later = new Date(Date.now() + ACCOUNT_TOKEN_TTL_MS.email_verification + 1000);
      await assert.rejects(verifyEmail({ store, token, now: later }), tokenInvalid);
      await requestPasswordReset({ store, mailer, email: user.email, resetUrlBase: RESET_BASE });
      const resetToken = await tokenMailedTo(store, user.email);
      await assert.rejects(verifyEmail({ store, token: resetToken }), tokenInvalid);
      // Still usable for what it was issued for: purposes do not cross.
      await verifyEmail({ store, token });
    });
  });
}
