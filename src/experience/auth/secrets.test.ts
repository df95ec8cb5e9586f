import assert from 'node:assert/strict';
import { createSecretKey, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { seal, unseal } from './secrets.ts';

test('seal and unseal agree whether the key is a Buffer or a KeyObject made from it', () => {
  const raw = randomBytes(32);
  const object = createSecretKey(raw);
  const text = JSON.stringify({ refresh_token: 'r'.repeat(43), access_token: 'a.b.c' });
  assert.equal(unseal(raw, seal(object, text)), text);
  assert.equal(unseal(object, seal(raw, text)), text);
  assert.notEqual(seal(object, text), seal(object, text), 'a fresh IV every time');
});

test('unseal refuses a wrong key and a tampered text', () => {
  const key = createSecretKey(randomBytes(32));
  const sealed = seal(key, 'secret');
  assert.throws(() => unseal(createSecretKey(randomBytes(32)), sealed));
  const [v, iv, body, tag] = sealed.split('.');
  const flipped = Buffer.from(body ?? '', 'base64url');
  flipped[0] = (flipped[0] ?? 0) ^ 1;
  assert.throws(() => unseal(key, [v, iv, flipped.toString('base64url'), tag].join('.')));
});
