import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { BACKENDS } from '../../../../test/support/backends.ts';
import { isGalleyError } from '../../errors/errors.ts';
import { type Jwk, rotateSigningKey } from '../keys/signingKeys.ts';
import { KEYS_CHANNEL } from '../tokenContract.ts';
import { TokenRejectedError } from './claims.ts';
import { denyGrant, denySession, denyToken } from './denyList.ts';
import {
  eventually,
  openVerifyHarness,
  rejectionReason,
  TEST_AUDIENCE,
  TEST_ISSUER,
  type VerifyHarness,
} from './testHarness.ts';
import type { TokenVerifier } from './tokenVerifier.ts';

/** A private ES256 JWK the store does not know. */
function foreignKey(kid: string = randomUUID()): Jwk {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...privateKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' };
}

const now = () => Math.floor(Date.now() / 1000);

const isRevoked = (error: unknown) => error instanceof TokenRejectedError && error.reason === 'revoked';

for (const backend of BACKENDS) {
  describe(`token verifier (${backend})`, () => {
    let h: VerifyHarness;
    let verifier: TokenVerifier;
    before(async () => {
      h = await openVerifyHarness(backend);
      verifier = h.newVerifier();
    });
    after(async () => {
      await h.cleanup();
    });

    test('a valid user token yields its principal', async () => {
      const token = await h.mint({ claims: { sub: 'user-1', tid: 'tenant-1', role: 'author', scope: 'a  b' } });
      const p = await verifier.verify(token);
      assert.equal(p.kind, 'user');
      assert.equal(p.subject, 'user-1');
      assert.equal(p.tenantId, 'tenant-1');
      assert.equal(p.role, 'author');
      assert.deepEqual(p.scopes, ['a', 'b']);
      assert.equal(typeof p.tokenId, 'string');
      assert.equal(typeof p.grantId, 'string');
      assert.equal(typeof p.sessionId, 'string');
      assert.ok(p.expiresAt > now());
      assert.ok(Object.isFrozen(p));
    });

    test('a client-credentials token (no grant, sub = service account) is a service principal', async () => {
      const token = await h.mint({ claims: { sub: 'svc-1', client_id: 'client-9', gid: undefined, sid: undefined } });
      const p = await verifier.verify(token);
      assert.equal(p.kind, 'service');
      assert.equal(p.subject, 'svc-1');
      assert.equal(p.grantId, undefined);
      assert.equal(p.sessionId, undefined);
    });

    test('expired, foreign, mistyped and malformed tokens are refused with GALLEY_UNAUTHENTICATED', async () => {
      const cases: [string, Promise<string>, string][] = [
        ['expired', h.mint({ iat: now() - 1000 }), 'expired'],
        ['wrong audience', h.mint({ audience: 'http://elsewhere.test/api' }), 'claims'],
        ['wrong issuer', h.mint({ issuer: 'http://evil.test/oauth' }), 'claims'],
        ['typ JWT (an ID token, say)', h.mint({ header: { typ: 'JWT' } }), 'claims'],
        ['no typ', h.mint({ header: { typ: undefined } }), 'claims'],
        ['no kid', h.mint({ header: { kid: undefined } }), 'malformed'],
        ['no exp', h.mint({ claims: { exp: undefined } }), 'claims'],
        ['no iat', h.mint({ claims: { iat: undefined } }), 'claims'],
        ['lifetime over 5 minutes', h.mint({ claims: { exp: now() + 3600 } }), 'claims'],
        ['no tenant', h.mint({ claims: { tid: undefined } }), 'claims'],
        ['no jti', h.mint({ claims: { jti: undefined } }), 'claims'],
        ['unknown role', h.mint({ claims: { role: 'superuser' } }), 'claims'],
        ['numeric scope', h.mint({ claims: { scope: 42 } }), 'claims'],
        ['garbage', Promise.resolve('not-a-jwt'), 'malformed'],
        ['alg none', Promise.resolve(unsigned()), 'malformed'],
      ];
      for (const [name, minted, reason] of cases) {
        const error = await verifier.verify(await minted).then(
          () => assert.fail(`${name}: accepted`),
          (e: unknown) => e,
        );
        assert.ok(isGalleyError(error, 'GALLEY_UNAUTHENTICATED'), name);
        assert.equal((error as TokenRejectedError).reason, reason, name);
      }
    });

    test('alg confusion: HS256 and ES384 tokens naming a real kid are refused', async () => {
      const key = await h.currentKey();
      const hs = await new SignJWT({ tid: 't', role: 'owner', jti: 'j', client_id: 'c' })
        .setProtectedHeader({ alg: 'HS256', kid: key.kid, typ: 'at+jwt' })
        .setIssuer(TEST_ISSUER)
        .setAudience(TEST_AUDIENCE)
        .setSubject('s')
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(JSON.stringify({ x: key.x, y: key.y })));
      assert.equal(await rejectionReason(verifier.verify(hs)), 'claims');
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
      const es384 = await h.mint({
        key: { ...privateKey.export({ format: 'jwk' }), kid: key.kid, alg: 'ES384', use: 'sig' },
      });
      assert.equal(await rejectionReason(verifier.verify(es384)), 'claims');
    });

    test('a token signed by another key under a known kid fails the signature check', async () => {
      const key = await h.currentKey();
      assert.equal(await rejectionReason(verifier.verify(await h.mint({ key: foreignKey(key.kid) }))), 'signature');
    });

    test('an unknown kid reloads the JWKS once, then refuses; reloads are throttled', async () => {
      const v = h.newVerifier({ unknownKidReloadMs: 60_000 });
      await v.verify(await h.mint());
      assert.equal(v.jwksLoads, 1);
      assert.equal(await rejectionReason(v.verify(await h.mint({ key: foreignKey() }))), 'signature');
      assert.equal(v.jwksLoads, 2);
      assert.equal(await rejectionReason(v.verify(await h.mint({ key: foreignKey() }))), 'signature');
      assert.equal(v.jwksLoads, 2, 'a second unknown kid inside the throttle window does not reload');
    });

    test('rotation: new-key tokens verify after a reload; old-key tokens verify while the key is published', async () => {
      const v = h.newVerifier();
      const oldKey = await h.currentKey();
      await v.verify(await h.mint({ key: oldKey }));
      await rotateSigningKey(h.store, h.secret);
      const newKey = await h.currentKey();
      assert.notEqual(newKey.kid, oldKey.kid);
      const p = await v.verify(await h.mint({ key: newKey }));
      assert.equal(typeof p.subject, 'string');
      assert.equal(v.jwksLoads, 2);
      await v.verify(await h.mint({ key: oldKey }));
    });

    test('a rotation announced on KEYS_CHANNEL makes every verifier reload its keys', async () => {
      const v = h.newVerifier();
      await v.verify(await h.mint());
      const loads = v.jwksLoads;
      await h.kv.publish(KEYS_CHANNEL, 'rotated');
      await eventually(async () => {
        await v.verify(await h.mint());
        return v.jwksLoads > loads;
      });
    });

    for (const [what, deny] of [
      ['denyToken', (p: { tokenId: string; expiresAt: number }) => denyToken(h.kv, p)],
      ['denyGrant', (p: { grantId?: string }) => denyGrant(h.kv, String(p.grantId))],
      ['denySession', (p: { sessionId?: string }) => denySession(h.kv, String(p.sessionId))],
    ] as const) {
      test(`${what}: refused by this verifier, by one on another kv client, and by one started afterwards`, async (t) => {
        const peer = h.newVerifier({ kv: h.openPeerKv() });
        const token = await h.mint();
        const principal = await verifier.verify(token);
        // Both verifiers now hold the token in their verified cache; their kv re-check is 30 s away, so only the
        // deny channel can make them refuse it in time.
        assert.deepEqual(await peer.verify(token), principal);
        const other = await h.mint();
        await deny(principal);
        const refused = (v: TokenVerifier) => v.verify(token).then(() => false, isRevoked);
        const elapsed = await eventually(async () => (await refused(verifier)) && (await refused(peer)));
        t.diagnostic(`${what} seen by both verifiers after ${elapsed} ms`);
        const late = h.newVerifier({ kv: h.openPeerKv() });
        assert.equal(await rejectionReason(late.verify(token)), 'revoked');
        // Other tokens stay valid.
        assert.equal(typeof (await verifier.verify(other)).subject, 'string');
      });
    }

    test('the verified cache does not bypass a deny key written without a message (kv re-check)', async () => {
      const rechecking = h.newVerifier({ denyRecheckMs: 0 });
      const token = await h.mint();
      const p = await rechecking.verify(token);
      // A revocation whose announcement was lost: only the key exists.
      await h.kv.set(`auth:deny:jti:${p.tokenId}`, '1', { ttlMs: 60_000 });
      await eventually(() => rechecking.verify(token).then(() => false, isRevoked));
    });

    test('concurrent first requests with one token all succeed and share one verification', async () => {
      const v = h.newVerifier();
      const token = await h.mint();
      const principals = await Promise.all(Array.from({ length: 20 }, () => v.verify(token)));
      assert.ok(principals.every((p) => p === principals[0]));
    });

    test('an unreachable key source is GALLEY_AUTH_UNAVAILABLE, not a 401', async () => {
      const v = h.newVerifier({
        keys: () => Promise.reject(new Error('store down')),
      });
      const error = await v.verify(await h.mint()).catch((e: unknown) => e);
      assert.ok(isGalleyError(error, 'GALLEY_AUTH_UNAVAILABLE'));
      assert.ok(!(error instanceof TokenRejectedError));
    });

    test('an unreachable deny-list fails closed with GALLEY_AUTH_UNAVAILABLE', async () => {
      const v = h.newVerifier({ kv: { ...h.kv, get: () => Promise.reject(new Error('kv down')) } });
      const error = await v.verify(await h.mint()).catch((e: unknown) => e);
      assert.ok(isGalleyError(error, 'GALLEY_AUTH_UNAVAILABLE'));
    });
  });
}

/** A token with `alg: none` and an empty signature. */
function unsigned(): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'at+jwt' })}.${part({ sub: 's', exp: now() + 60 })}.`;
}
