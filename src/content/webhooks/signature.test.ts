import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { generateWebhookSecret, signWebhookPayload, verifyWebhookSignature } from './signature.ts';

const secret = generateWebhookSecret();
const body =
  '{"id":"d1","event":"entry.published","tenant":"news","seq":7,"occurredAt":"2025-01-01T00:00:00.000Z","data":{}}';

test('the header is t=<seconds>,v1=<hex HMAC-SHA256 of "t.body">', () => {
  const header = signWebhookPayload(secret, body, 1_700_000_000);
  const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
  assert.equal(header, `t=1700000000,v1=${expected}`);
  assert.match(secret, /^whsec_[A-Za-z0-9_-]{43}$/);
});

test('a fresh signature verifies; other secrets, bodies and stale timestamps do not', () => {
  const now = 1_700_000_000;
  const header = signWebhookPayload(secret, body, now);
  assert.ok(verifyWebhookSignature(secret, header, body, 300, now + 10));
  assert.ok(verifyWebhookSignature(secret, header, Buffer.from(body), 300, now - 299));
  assert.ok(!verifyWebhookSignature(generateWebhookSecret(), header, body, 300, now));
  assert.ok(!verifyWebhookSignature(secret, header, `${body} `, 300, now));
  assert.ok(!verifyWebhookSignature(secret, header, body, 300, now + 301));
  assert.ok(!verifyWebhookSignature(secret, header, body, 300, now - 301));
});

test('several v1 entries: any one matching suffices (rotation)', () => {
  const now = 1_700_000_000;
  const mine = signWebhookPayload(secret, body, now).split(',')[1];
  const other = signWebhookPayload(generateWebhookSecret(), body, now).split(',')[1];
  assert.ok(verifyWebhookSignature(secret, `t=${now},${other},${mine}`, body, 300, now));
  assert.ok(verifyWebhookSignature(secret, `t=${now}, v2=abc, ${mine}`, body, 300, now));
});

test('malformed headers are false, never a throw', () => {
  const now = 1_700_000_000;
  const good = signWebhookPayload(secret, body, now);
  const v1 = good.split(',')[1] ?? '';
  for (const header of [undefined, '', 't=', v1, `t=${now}`, `t=abc,${v1}`, `t=${now},t=${now},${v1}`, 'garbage']) {
    assert.equal(verifyWebhookSignature(secret, header, body, 300, now), false, String(header));
  }
  fc.assert(
    fc.property(fc.string(), (header) => verifyWebhookSignature(secret, header, body, 300, now) === (header === good)),
  );
});
