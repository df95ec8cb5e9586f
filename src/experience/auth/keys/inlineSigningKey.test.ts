import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { compactVerify, createLocalJWKSet } from 'jose';
import { Provider } from 'oidc-provider';
import instance from 'oidc-provider/lib/helpers/weak_cache.js';
import { INLINE_SIGNING_FEATURE, InlineSigningKey } from './inlineSigningKey.ts';
import type { Jwk } from './signingKeys.ts';

function privateJwk(): Jwk {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'ES256', use: 'sig' };
}

function publicPart(jwk: Jwk): Jwk {
  const { d: _d, ...rest } = jwk;
  return rest;
}

describe('inline signing key', () => {
  test('signs JWS that verify with the public JWK; publishes no private part', async () => {
    const jwk = privateJwk();
    const key = new InlineSigningKey(jwk);
    assert.equal(key.kid, jwk.kid);
    assert.equal(key.alg, 'ES256');
    assert.equal(key.keyObject().type, 'public');
    assert.equal('d' in key.keyObject().export({ format: 'jwk' }), false);
    const header = Buffer.from(JSON.stringify({ alg: 'ES256', kid: jwk.kid })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ sub: 'u1' })).toString('base64url');
    const signature = await key.sign(Buffer.from(`${header}.${payload}`));
    assert.equal(signature.length, 64, 'r||s, not DER');
    const jws = `${header}.${payload}.${signature.toString('base64url')}`;
    const keys = createLocalJWKSet({ keys: [publicPart(jwk)] });
    const verified = await compactVerify(jws, keys);
    assert.deepEqual(JSON.parse(Buffer.from(verified.payload).toString('utf8')), { sub: 'u1' });
    const other = createLocalJWKSet({ keys: [{ ...publicPart(privateJwk()), kid: jwk.kid }] });
    await assert.rejects(compactVerify(jws, other), 'another key does not verify it');
  });

  test('refuses anything but a private ES256 key', () => {
    const jwk = privateJwk();
    assert.throws(() => new InlineSigningKey(publicPart(jwk)), TypeError);
    assert.throws(() => new InlineSigningKey({ ...jwk, alg: 'ES384' }), TypeError);
  });

  // Signing through the provider (access and ID tokens verified against /oauth/jwks) is covered end to end by
  // oidc/authorizationCode.test.ts; key rotation (a new provider with new keys) by oidc/keyRotation.test.ts.
  test('the provider accepts the keys and publishes only their public parts, current first', () => {
    const current = privateJwk();
    const retired = privateJwk();
    const provider = new Provider('https://galley.test/oauth', {
      jwks: { keys: [current, retired].map((k) => new InlineSigningKey(k)) },
      features: { devInteractions: { enabled: false }, externalSigningSupport: INLINE_SIGNING_FEATURE },
      enabledJWA: { idTokenSigningAlgValues: ['ES256'] },
    });
    const published = (instance(provider) as unknown as { jwks: { keys: Jwk[] } }).jwks.keys;
    assert.deepEqual(
      published.map((k) => [k.kid, k.alg, k.use, k.kty, k.crv, k.x, k.y]),
      [current, retired].map((k) => [k.kid, 'ES256', 'sig', 'EC', 'P-256', k.x, k.y]),
    );
    for (const k of published) assert.equal(k.d, undefined, 'no private part in the JWKS');
  });
});
