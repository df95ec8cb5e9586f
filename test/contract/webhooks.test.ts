/**
 * Contract: webhook management against /openapi.json on every backend, and the webhook flow end to end — an
 * entry published through the API reaches a receiver on loopback, whose signature verifies with the secret the
 * API returned (and stops verifying with the old one after a rotation).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { verifyWebhookSignature } from '../../src/content/webhooks/signature.ts';
import { waitUntil } from '../../src/content/webhooks/testing.ts';
import type { Worker } from '../../src/data/queue/port.ts';
import { BACKENDS } from '../support/backends.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhookReceiver.ts';
import { operationsOf } from './operations.ts';
import { type ContractSandbox, invalidBodies, openContractSandbox } from './sandbox.ts';

const W = '/api/v1/tenants/{tenant}/webhooks';

for (const backend of BACKENDS) {
  describe(`contract: webhooks (${backend})`, () => {
    let s: ContractSandbox;
    let receiver: WebhookReceiver;
    let worker: Worker;
    before(async () => {
      s = await openContractSandbox(backend);
      receiver = await startWebhookReceiver();
      worker = s.bench.startDeliveryWorker();
    });
    after(async () => {
      const missing = s === undefined ? [] : operationsOf('webhooks').filter((key) => !s.covered.has(key));
      await worker?.close(1000);
      await receiver?.close();
      await s?.cleanup();
      assert.deepEqual(missing, [], 'operations assigned to webhooks.test.ts that no case exercised');
    });

    test('create, read, list, update, delete; refusals derived from the schema', async () => {
      const valid = { url: receiver.url, events: ['entry.*'], description: 'contract' };
      for (const body of invalidBodies(s.doc, `POST ${W}`, valid)) {
        assert.equal((await s.call(`POST ${W}`, { body, role: 'owner', invalid: true })).statusCode, 400);
      }
      assert.equal((await s.call(`POST ${W}`, { body: valid, role: 'editor' })).statusCode, 403);
      assert.equal((await s.call(`POST ${W}`, { body: valid, role: null })).statusCode, 401);
      const created = await s.call(`POST ${W}`, { body: valid, role: 'owner' });
      assert.equal(created.statusCode, 201);
      const id = created.json<{ id: string }>().id;
      assert.equal((await s.call(`GET ${W}`, { role: 'owner' })).statusCode, 200);
      assert.equal((await s.call(`GET ${W}/{id}`, { params: { id }, role: 'owner' })).statusCode, 200);
      assert.equal((await s.call(`GET ${W}/{id}`, { params: { id: 'missing' }, role: 'owner' })).statusCode, 404);
      const patched = await s.call(`PATCH ${W}/{id}`, {
        params: { id },
        body: { description: 'changed', enabled: false },
        role: 'owner',
      });
      assert.equal(patched.statusCode, 200);
      for (const body of invalidBodies(s.doc, `PATCH ${W}/{id}`, { description: 'x' })) {
        const res = await s.call(`PATCH ${W}/{id}`, { params: { id }, body, role: 'owner', invalid: true });
        assert.equal(res.statusCode, 400, JSON.stringify(body));
      }
      assert.equal((await s.call(`DELETE ${W}/{id}`, { params: { id }, role: 'owner' })).statusCode, 204);
      assert.equal((await s.call(`DELETE ${W}/{id}`, { params: { id }, role: 'owner' })).statusCode, 404);
    });

    test('a published entry reaches the loopback receiver with a verifiable signature; redeliver; rotate', async () => {
      const created = await s.call(`POST ${W}`, {
        body: { url: receiver.url, events: ['entry.published'] },
        role: 'owner',
      });
      const hook = created.json<{ id: string; secret: string }>();
      assert.match(hook.secret, /^whsec_/);
      const entry = await s.call('POST /api/v1/tenants/{tenant}/entries', {
        body: { type: 'article', fields: { title: 'Signed' } },
      });
      const entryId = entry.json<{ id: string }>().id;
      const before = receiver.requests.length;
      assert.equal(
        (await s.call('POST /api/v1/tenants/{tenant}/entries/{id}/publish', { params: { id: entryId } })).statusCode,
        200,
      );
      await s.bench.dispatcher().runOnce();
      const [first] = (await receiver.waitForRequests(before + 1)).slice(before);
      assert.ok(first);
      const signature = first.headers['galley-signature'];
      assert.equal(typeof signature, 'string');
      assert.ok(verifyWebhookSignature(hook.secret, String(signature), first.body), 'signature verifies');
      assert.equal(verifyWebhookSignature(hook.secret, String(signature), `${first.body} `), false);
      assert.ok(first.body.includes(entryId), 'the event names the entry');
      assert.ok(first.body.includes('entry.published'), first.body);

      const deliveries = `${W}/{id}/deliveries`;
      const attempts = await waitUntil('the delivery is logged', async () => {
        const page = await s.call(`GET ${deliveries}`, {
          params: { id: hook.id },
          query: { limit: 10 },
          role: 'owner',
        });
        const items = page.json<{ items: { deliveryId: string; status: string }[] }>().items;
        return items.some((a) => a.status === 'delivered') ? items : undefined;
      });
      assert.equal(
        (await s.call(`GET ${deliveries}`, { params: { id: hook.id }, query: { cursor: 'bogus' }, role: 'owner' }))
          .statusCode,
        400,
      );
      const deliveryId = attempts[0]?.deliveryId ?? '';
      const redeliver = await s.call(`POST ${deliveries}/{deliveryId}/redeliver`, {
        params: { id: hook.id, deliveryId },
        role: 'owner',
      });
      assert.equal(redeliver.statusCode, 202);
      const [again] = (await receiver.waitForRequests(before + 2)).slice(before + 1);
      assert.ok(again);
      assert.ok(verifyWebhookSignature(hook.secret, String(again.headers['galley-signature']), again.body));
      assert.equal(
        (
          await s.call(`POST ${deliveries}/{deliveryId}/redeliver`, {
            params: { id: hook.id, deliveryId: 'missing' },
            role: 'owner',
          })
        ).statusCode,
        404,
      );

      const rotated = await s.call(`PATCH ${W}/{id}`, {
        params: { id: hook.id },
        body: { rotateSecret: true },
        role: 'owner',
      });
      const secret = rotated.json<{ secret: string }>().secret;
      assert.notEqual(secret, hook.secret);
      const unpublished = await s.call('POST /api/v1/tenants/{tenant}/entries/{id}/unpublish', {
        params: { id: entryId },
      });
      assert.equal(unpublished.statusCode, 200);
      await s.call('POST /api/v1/tenants/{tenant}/entries/{id}/publish', { params: { id: entryId } });
      await s.bench.dispatcher().runOnce();
      const [third] = (await receiver.waitForRequests(before + 3)).slice(before + 2);
      assert.ok(third);
      assert.ok(verifyWebhookSignature(secret, String(third.headers['galley-signature']), third.body));
      assert.equal(verifyWebhookSignature(hook.secret, String(third.headers['galley-signature']), third.body), false);
    });
  });
}
