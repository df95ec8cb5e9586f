/**
 * Password login on every backend: the real argon2id verification (wrapped only to count its runs), real kv
 * counters (SQLite table or Redis), real users in the store.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { buildTenant, buildUser } from '../../../../test/factories.ts';
import {
  BACKENDS,
  type Backend,
  openTestStore,
  TEST_REDIS_URL,
  uniqueName,
} from '../../../../test/support/backends.ts';
import type { Kv } from '../../../data/kv/port.ts';
import { createRedisKv } from '../../../data/kv/redis/redisKv.ts';
import { createSqliteKv } from '../../../data/kv/sqlite/sqliteKv.ts';
import type { Store } from '../../../data/store/port.ts';
import { createMetrics } from '../../../ops/metrics/registry.ts';
import { ARGON2_PARAMS, verifyPassword } from '../passwordHash.ts';
import { DEFAULT_LOCKOUT_POLICY, ipKey, type LockoutPolicy } from './lockout.ts';
import { createPasswordAuthenticator, DUMMY_PASSWORD_HASH } from './passwordLogin.ts';

const PASSWORD = 'correct horse battery staple';

/** The real verifier, counting its runs and remembering which hashes it was given. */
function countingVerify() {
  const calls: string[] = [];
  return {
    calls,
    verify: async (password: string, hash: string) => {
      calls.push(hash);
      return verifyPassword(password, hash);
    },
  };
}

/** A controllable clock for lock deadlines (kv TTLs stay real; locks are judged by their stored deadline). */
function clock(start = Date.now()) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

let ipCounter = 0;
/** A fresh client address per test, so IP counters never leak between tests. */
function freshIp(): string {
  ipCounter += 1;
  return `192.0.2.${ipCounter}`;
}

test('the dummy hash uses the current argon2 parameters', () => {
  const { memory, passes, parallelism } = ARGON2_PARAMS;
  assert.ok(DUMMY_PASSWORD_HASH.startsWith(`$argon2id$v=19$m=${memory},t=${passes},p=${parallelism}$`));
});

test('ipKey buckets IPv6 by /64 and unwraps IPv4-mapped addresses', () => {
  assert.equal(ipKey('2001:db8:1:2:aaaa::1'), ipKey('2001:db8:1:2:ffff:1:2:3'));
  assert.notEqual(ipKey('2001:db8:1:2::1'), ipKey('2001:db8:1:3::1'));
  assert.equal(ipKey('::ffff:198.51.100.7'), '198.51.100.7');
  assert.equal(ipKey('198.51.100.7'), '198.51.100.7');
  assert.equal(ipKey('::1'), '0:0:0:0::/64');
});

for (const backend of BACKENDS) {
  describe(`password login (${backend})`, () => {
    let store: Store;
    let kv: Kv;
    let cleanup: () => Promise<void>;
    let tenantId: string;

    before(async () => {
      const t = await openTestStore(backend);
      store = t.store;
      const opened = openKv(backend, t.store);
      kv = opened.kv;
      cleanup = async () => {
        await opened.close();
        await t.cleanup();
      };
      tenantId = (await buildTenant(store.db)).id;
    });
    after(async () => cleanup());

    const newUser = async () => buildUser(store.db, { tenantId, role: 'editor', password: PASSWORD });

    test('the right password signs in and is recorded as a success', async () => {
      const user = await newUser();
      const metrics = createMetrics({ collectDefault: false });
      const counter = countingVerify();
      const login = createPasswordAuthenticator({ verify: counter.verify });
      const result = await login({
        store,
        kv,
        metrics,
        email: ` ${user.email.toUpperCase()} `,
        password: PASSWORD,
        ip: freshIp(),
      });
      assert.deepEqual(result, { ok: true, userId: user.id });
      assert.equal(counter.calls.length, 1);
      const samples = (await metrics.families.authLogins.get()).values;
      assert.deepEqual(
        samples.map((s) => s.labels),
        [{ provider: 'password', outcome: 'success', reason: 'none' }],
      );
      metrics.close();
    });

    test('5 wrong passwords in a minute lock the account: the 6th is refused without running argon2', async () => {
      const user = await newUser();
      const counter = countingVerify();
      const metrics = createMetrics({ collectDefault: false });
      const login = createPasswordAuthenticator({ verify: counter.verify });
      const ip = freshIp();
      for (let i = 1; i <= 5; i += 1) {
        const r = await login({ store, kv, metrics, email: user.email, password: `wrong-${i}`, ip });
        assert.equal(r.ok, false);
        assert.equal(r.ok === false && r.reason, 'invalid_credentials');
      }
      assert.equal(counter.calls.length, 5);
      // Even the right password is refused now, and argon2 does not run.
      const sixth = await login({ store, kv, metrics, email: user.email, password: PASSWORD, ip });
      assert.equal(sixth.ok, false);
      assert.equal(sixth.ok === false && sixth.reason, 'locked');
      assert.ok(sixth.ok === false && sixth.retryAfterSeconds !== undefined && sixth.retryAfterSeconds > 0);
      assert.ok(sixth.ok === false && (sixth.retryAfterSeconds ?? 0) <= 60);
      assert.equal(counter.calls.length, 5, 'argon2 did not run for the locked attempt');
      const locked = (await metrics.families.authLogins.get()).values.find((s) => s.labels.reason === 'locked');
      assert.equal(locked?.value, 1);
      metrics.close();
    });

    test('concurrent wrong attempts cannot run argon2 more than 5 times per window', async () => {
      const user = await newUser();
      const counter = countingVerify();
      const login = createPasswordAuthenticator({ verify: counter.verify });
      const ip = freshIp();
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => login({ store, kv, email: user.email, password: `guess-${i}`, ip })),
      );
      assert.ok(counter.calls.length <= 5, `argon2 ran ${counter.calls.length} times`);
      assert.ok(results.filter((r) => r.ok === false && r.reason === 'locked').length >= 7);
      assert.ok(results.every((r) => !r.ok));
    });

    test('a success resets the account failure counter', async () => {
      const user = await newUser();
      const login = createPasswordAuthenticator();
      const ip = freshIp();
      for (let i = 0; i < 4; i += 1) await login({ store, kv, email: user.email, password: 'nope-nope-nope', ip });
      assert.equal((await login({ store, kv, email: user.email, password: PASSWORD, ip })).ok, true);
      // Four more failures would have been the 5th..8th without the reset; now they leave the account open.
      for (let i = 0; i < 4; i += 1) {
        const r = await login({ store, kv, email: user.email, password: 'nope-nope-nope', ip });
        assert.equal(r.ok === false && r.reason, 'invalid_credentials');
      }
      assert.equal((await login({ store, kv, email: user.email, password: PASSWORD, ip })).ok, true);
    });

    test('back-off doubles with each further lock, capped', async () => {
      const user = await newUser();
      const time = clock();
      const policy: LockoutPolicy = { ...DEFAULT_LOCKOUT_POLICY, maxLockMs: 180_000 };
      const counter = countingVerify();
      const login = createPasswordAuthenticator({ verify: counter.verify, policy, now: time.now });
      const ip = freshIp();
      const fail5 = async () => {
        let last: Awaited<ReturnType<typeof login>> = { ok: false, reason: 'invalid_credentials' };
        for (let i = 0; i < 5; i += 1)
          last = await login({ store, kv, email: user.email, password: 'bad-bad-bad', ip });
        return last;
      };
      const locks: (number | undefined)[] = [];
      for (let round = 0; round < 3; round += 1) {
        const fifth = await fail5();
        locks.push(fifth.ok === false ? fifth.retryAfterSeconds : undefined);
        const refused = await login({ store, kv, email: user.email, password: PASSWORD, ip });
        assert.equal(refused.ok === false && refused.reason, 'locked');
        time.advance((locks.at(-1) ?? 0) * 1000 + 1000);
      }
      assert.deepEqual(locks, [60, 120, 180]);
      assert.equal(counter.calls.length, 15);
      // After the lock ends the right password works again and clears the back-off.
      assert.equal((await login({ store, kv, email: user.email, password: PASSWORD, ip })).ok, true);
      const fifth = await fail5();
      assert.equal(fifth.ok === false && fifth.retryAfterSeconds, 60);
    });

    test('the per-IP limit refuses attempts across many accounts without running argon2', async () => {
      const policy: LockoutPolicy = { ...DEFAULT_LOCKOUT_POLICY, ip: { attempts: 6, windowMs: 60_000 } };
      const counter = countingVerify();
      const login = createPasswordAuthenticator({ verify: counter.verify, policy });
      const ip = freshIp();
      for (let i = 0; i < 6; i += 1) {
        const r = await login({
          store,
          kv,
          email: `stuffed-${i}-${uniqueName('u')}@example.test`,
          password: 'Summer2024!',
          ip,
        });
        assert.equal(r.ok === false && r.reason, 'invalid_credentials');
      }
      const user = await newUser();
      const blocked = await login({ store, kv, email: user.email, password: PASSWORD, ip });
      assert.equal(blocked.ok === false && blocked.reason, 'locked');
      assert.equal(counter.calls.length, 6);
      // The same account from another address is fine: the lock was the address's, not the account's.
      assert.equal((await login({ store, kv, email: user.email, password: PASSWORD, ip: freshIp() })).ok, true);
      // An IPv6 neighbour in the same /64 shares the address's counter.
      const v6 = createPasswordAuthenticator({ verify: counter.verify, policy });
      for (let i = 0; i < 6; i += 1) {
        await v6({
          store,
          kv,
          email: `v6-${i}-${uniqueName('u')}@example.test`,
          password: 'x',
          ip: `2001:db8:${ipCounter}::${i + 1}`,
        });
      }
      const neighbour = await v6({
        store,
        kv,
        email: user.email,
        password: PASSWORD,
        ip: `2001:db8:${ipCounter}::ffff`,
      });
      assert.equal(neighbour.ok === false && neighbour.reason, 'locked');
    });

    test('unknown emails and SSO-only users fail like a wrong password, each after one dummy verification', async () => {
      const metrics = createMetrics({ collectDefault: false });
      const counter = countingVerify();
      const login = createPasswordAuthenticator({ verify: counter.verify });
      const ip = freshIp();
      const unknown = await login({
        store,
        kv,
        metrics,
        email: `${uniqueName('ghost')}@example.test`,
        password: PASSWORD,
        ip,
      });
      assert.deepEqual(unknown, { ok: false, reason: 'invalid_credentials' });
      const sso = await buildUser(store.db, { tenantId, role: 'editor' });
      const ssoResult = await login({ store, kv, metrics, email: sso.email, password: PASSWORD, ip });
      assert.deepEqual(ssoResult, { ok: false, reason: 'invalid_credentials' });
      assert.deepEqual(counter.calls, [DUMMY_PASSWORD_HASH, DUMMY_PASSWORD_HASH]);
      const reasons = (await metrics.families.authLogins.get()).values.map((s) => s.labels.reason).sort();
      assert.deepEqual(reasons, ['invalid_credentials', 'unknown_user']);
      metrics.close();
    });

    test('an unknown email locks after 5 attempts exactly like a real account', async () => {
      const counter = countingVerify();
      const login = createPasswordAuthenticator({ verify: counter.verify });
      const email = `${uniqueName('ghost')}@example.test`;
      const ip = freshIp();
      for (let i = 0; i < 5; i += 1) await login({ store, kv, email, password: 'whatever-123', ip });
      const sixth = await login({ store, kv, email, password: 'whatever-123', ip });
      assert.equal(sixth.ok === false && sixth.reason, 'locked');
      assert.equal(counter.calls.length, 5);
    });
  });
}

/** The backend's kv; closing it also removes a Redis prefix's keys (back-off levels live for a day). */
function openKv(backend: Backend, store: Store): { kv: Kv; close(): Promise<void> } {
  if (backend === 'embedded') {
    const kv = createSqliteKv(store);
    return { kv, close: () => kv.close() };
  }
  const prefix = uniqueName('pwlogin');
  const kv = createRedisKv({ url: TEST_REDIS_URL, prefix });
  return {
    kv,
    async close() {
      await kv.close();
      const redis = new Redis(TEST_REDIS_URL);
      try {
        const keys = await redis.keys(`${prefix}:*`);
        if (keys.length > 0) await redis.del(...keys);
      } finally {
        await redis.quit();
      }
    },
  };
}
