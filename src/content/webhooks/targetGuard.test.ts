import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isGalleyError } from '../../experience/errors/errors.ts';
import {
  assertDeliverableHost,
  assertPublicTarget,
  guardedLookup,
  isNonPublicAddress,
  parseWebhookUrl,
  WebhookTargetRefusedError,
} from './targetGuard.ts';

test('non-public addresses: loopback, private, link-local, CGNAT, mapped and special IPv6', () => {
  for (const ip of [
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::ffff:a9fe:a9fe',
    '64:ff9b::a00:1',
  ]) {
    assert.ok(isNonPublicAddress(ip), ip);
  }
  for (const ip of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '2001:4860:4860::8888']) {
    assert.ok(!isNonPublicAddress(ip), ip);
  }
});

test('URLs: http(s) only, no credentials or fragment', () => {
  assert.equal(parseWebhookUrl(' https://hooks.example/x?y=1 ').href, 'https://hooks.example/x?y=1');
  for (const bad of [
    'ftp://x.example/',
    'file:///etc/passwd',
    'https://u:p@x.example/',
    'https://x.example/#f',
    'nope',
    '',
  ]) {
    assert.throws(
      () => parseWebhookUrl(bad),
      (error: unknown) => isGalleyError(error, 'GALLEY_VALIDATION_FAILED'),
      bad,
    );
  }
});

test('save-time check refuses loopback literals and names unless private targets are allowed', async () => {
  for (const url of ['http://127.0.0.1:9/x', 'http://[::1]/x', 'http://localhost/x', 'http://169.254.169.254/latest']) {
    await assert.rejects(
      assertPublicTarget(new URL(url), false),
      (error: unknown) => isGalleyError(error, 'GALLEY_VALIDATION_FAILED'),
      url,
    );
    await assertPublicTarget(new URL(url), true);
  }
  await assert.rejects(assertPublicTarget(new URL('https://no-such-host.invalid/'), false));
});

test('delivery-time checks: IP literals up front, names inside the socket lookup', async () => {
  assert.throws(() => assertDeliverableHost(new URL('http://10.0.0.1/'), false), WebhookTargetRefusedError);
  assertDeliverableHost(new URL('http://10.0.0.1/'), true);
  assertDeliverableHost(new URL('https://hooks.example/'), false);
  const lookup = guardedLookup(false);
  const error = await new Promise<unknown>((resolve) => lookup('localhost', {}, (err) => resolve(err)));
  assert.ok(error instanceof WebhookTargetRefusedError);
  const allowed = await new Promise<unknown>((resolve) =>
    guardedLookup(true)('localhost', { all: true }, (err, addresses) => resolve(err ?? addresses)),
  );
  assert.ok(Array.isArray(allowed) && allowed.length > 0);
});
