import assert from 'node:assert/strict';
import { createPublicKey, createSign, createVerify } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { BACKENDS, openTestStore, type TestStore } from '../../../../test/support/backends.ts';
import { ensureSigningKey, loadKeySet, rotateSigningKey } from './signingKeys.ts';

const SECRET = 's'.repeat(40);

for (const backend of BACKENDS) {
  describe(`signing keys (${backend})`, () => {
    let t: TestStore;
    before(async () => {
      t = await openTestStore(backend);
    });
    after(async () => {
      await t.cleanup();
    });

    test('first start creates one ES256 key whose private half is sealed at rest', async () => {
      assert.equal(await ensureSigningKey(t.store, SECRET), true);
      assert.equal(await ensureSigningKey(t.store, SECRET), false);
      const set = await loadKeySet(t.store, SECRET);
      assert.equal(set.signing.length, 1);
      assert.equal(set.jwks.keys[0]?.alg, 'ES256');
      assert.equal('d' in (set.jwks.keys[0] ?? {}), false, 'public JWKS must not carry the private part');
      const raw = await t.store.db
        .withTables<{ signing_keys: { private_jwk_sealed: string } }>()
        .selectFrom('signing_keys')
        .select('private_jwk_sealed')
        .executeTakeFirstOrThrow();
      assert.ok(!raw.private_jwk_sealed.includes('"d"'));
      await assert.rejects(loadKeySet(t.store, 'w'.repeat(40)));
    });

    test('rotation puts the new key first and keeps the old one published', async () => {
      const before = await loadKeySet(t.store, SECRET);
      const kid = await rotateSigningKey(t.store, SECRET);
      const after = await loadKeySet(t.store, SECRET);
      assert.equal(after.signing[0]?.kid, kid);
      assert.deepEqual(
        after.jwks.keys.map((k) => k.kid),
        [kid, before.signing[0]?.kid],
      );
      // Once the keep window is over, the retired key leaves the JWKS.
      const later = await loadKeySet(t.store, SECRET, 0);
      assert.deepEqual(
        later.jwks.keys.map((k) => k.kid),
        [kid],
      );
    });

    test('a signature made with the private JWK verifies with the published one', async () => {
      const set = await loadKeySet(t.store, SECRET);
      const [priv] = set.signing;
      const [pub] = set.jwks.keys;
      assert.ok(priv !== undefined && pub !== undefined);
      const sig = createSign('SHA256').update('hello').sign({ key: priv, format: 'jwk' });
      assert.equal(
        createVerify('SHA256')
          .update('hello')
          .verify(createPublicKey({ key: pub, format: 'jwk' }), sig),
        true,
      );
    });
  });
}
