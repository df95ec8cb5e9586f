/**
 * End to end on every backend with the real queue adapter and a real receiver on loopback: fan-out from the
 * event log, signed POSTs, retries (500, timeout), 410 disabling, idempotent fan-out, pattern matching,
 * redelivery and the SSRF guard at delivery time.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { buildTenant } from '../../../test/factories.ts';
import { BACKENDS } from '../../../test/support/backends.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../../test/support/webhookReceiver.ts';
import type { TenantsTable } from '../../data/store/schema.ts';
import { isGalleyError } from '../../experience/errors/errors.ts';
import { createDeliveryHandler } from './deliveryHandler.ts';
import { listDeliveries, type WebhookDeliveryAttempt } from './deliveryLog.ts';
import { verifyWebhookSignature } from './signature.ts';
import { getWebhook } from './subscriptions.ts';
import { webhookDb } from './tables.ts';
import { openWebhookBench, TEST_MASTER_SECRET, TEST_RETRY, type WebhookBench, waitUntil } from './testing.ts';
import { createWebhook } from './webhookCreator.ts';
import { deleteWebhook } from './webhookDeleter.ts';
import { disableWebhook } from './webhookDisabler.ts';
import { redeliverWebhook } from './webhookRedeliverer.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const backend of BACKENDS) {
  describe(`webhook delivery (${backend})`, () => {
    let bench: WebhookBench;
    let receiver: WebhookReceiver;
    let tenant: TenantsTable;

    before(async () => {
      bench = await openWebhookBench(backend);
      bench.startDeliveryWorker();
    });
    after(async () => {
      await bench.cleanup();
    });
    beforeEach(async () => {
      receiver = await startWebhookReceiver();
      tenant = await buildTenant(bench.store.db);
    });
    // Each test closes its receiver itself (node:test has no afterEach ordering guarantee with before hooks).

    async function subscribe(events: readonly string[], path = '') {
      return createWebhook({
        db: bench.store.db,
        secret: TEST_MASTER_SECRET,
        tenantId: tenant.id,
        url: `${receiver.url}${path}`,
        events,
        allowPrivateTargets: true,
        actor: 'user:admin',
      });
    }

    async function attempts(subscriptionId: string): Promise<readonly WebhookDeliveryAttempt[]> {
      return (await listDeliveries(bench.store.db, tenant.id, subscriptionId, { limit: 100 })).items;
    }

    async function settledAttempts(subscriptionId: string, count: number) {
      return waitUntil(`${count} logged attempts`, async () => {
        const items = await attempts(subscriptionId);
        return items.length >= count ? items : undefined;
      });
    }

    test('a matching event is POSTed once, signed, with the documented body and headers', async () => {
      const { subscription, signingSecret } = await subscribe(['entry.*']);
      const event = await bench.emit(tenant.id, 'entry.published', { entryId: 'e1', version: 3 });
      assert.equal(await bench.dispatcher().runOnce(), 1);
      const [request] = await receiver.waitForRequests(1);
      assert.ok(request);
      assert.equal(request.method, 'POST');
      assert.equal(request.headers['content-type'], 'application/json');
      assert.equal(request.headers['galley-event'], 'entry.published');
      const signature = String(request.headers['galley-signature']);
      assert.match(signature, /^t=\d+,v1=[0-9a-f]{64}$/);
      assert.ok(verifyWebhookSignature(signingSecret, signature, request.body));
      assert.ok(!verifyWebhookSignature(signingSecret, signature, `${request.body}\n`));
      const body = JSON.parse(request.body) as Record<string, unknown>;
      assert.deepEqual(body, {
        id: request.headers['galley-delivery'],
        event: 'entry.published',
        tenant: tenant.slug,
        seq: event.seq,
        occurredAt: event.occurredAt,
        data: { entryId: 'e1', version: 3 },
      });
      const [logged] = await settledAttempts(subscription.id, 1);
      assert.equal(logged?.status, 'delivered');
      assert.equal(logged?.responseStatus, 200);
      assert.equal(logged?.deliveryId, body.id);
      await receiver.close();
    });

    test('500 then 200: retried with the same delivery id, delivered once', async () => {
      const { subscription } = await subscribe(['entry.published']);
      receiver.script({ status: 500, body: 'boom' });
      await bench.emit(tenant.id, 'entry.published');
      await bench.dispatcher().runOnce();
      const requests = await receiver.waitForRequests(2);
      assert.equal(requests[0]?.headers['galley-delivery'], requests[1]?.headers['galley-delivery']);
      const log = await settledAttempts(subscription.id, 2);
      assert.deepEqual(
        log.map((a) => [a.attempt, a.status, a.responseStatus]),
        [
          [2, 'delivered', 200],
          [1, 'retrying', 500],
        ],
      );
      assert.equal(log[1]?.error, 'HTTP 500: boom');
      await pause(300);
      assert.equal(receiver.requests.length, 2);
      await receiver.close();
    });

    test('410 Gone disables the subscription and stops deliveries to it', async () => {
      const { subscription } = await subscribe(['entry.*']);
      receiver.setDefault({ status: 410 });
      await bench.emit(tenant.id, 'entry.created');
      await bench.dispatcher().runOnce();
      await receiver.waitForRequests(1);
      const disabled = await waitUntil('disabled', async () => {
        const s = await getWebhook(bench.store.db, tenant.id, subscription.id);
        return s.disabledAt === null ? undefined : s;
      });
      assert.equal(disabled.disabledReason, 'receiver answered 410 Gone');
      assert.equal((await settledAttempts(subscription.id, 1))[0]?.status, 'gone');
      await bench.emit(tenant.id, 'entry.updated');
      assert.equal(await bench.dispatcher().runOnce(), 0);
      await pause(300);
      assert.equal(receiver.requests.length, 1);
      await receiver.close();
    });

    test('no answer within the timeout: the attempt fails and is retried', async () => {
      const { subscription } = await subscribe(['entry.published']);
      receiver.script({ status: 200, delayMs: 15_000 });
      await bench.emit(tenant.id, 'entry.published');
      await bench.dispatcher().runOnce();
      await receiver.waitForRequests(2);
      const log = await settledAttempts(subscription.id, 2);
      assert.deepEqual(
        log.map((a) => a.status),
        ['delivered', 'retrying'],
      );
      assert.match(log[1]?.error ?? '', /no answer within 3000 ms/);
      await receiver.close();
    });

    test('a delivery that fails every attempt is dead-lettered, logged as failed and counted', async () => {
      const { subscription } = await subscribe(['entry.published']);
      receiver.setDefault({ status: 503 });
      await bench.emit(tenant.id, 'entry.published');
      await bench.dispatcher().runOnce();
      const log = await settledAttempts(subscription.id, TEST_RETRY.maxAttempts);
      assert.deepEqual(
        log.map((a) => a.status),
        ['failed', 'retrying', 'retrying', 'retrying', 'retrying'],
      );
      const dead = await waitUntil('dead letter', async () => {
        const letters = await bench.queue.deadLetters('webhooks.deliver');
        return letters.find((l) => (l.payload as { subscriptionId?: string }).subscriptionId === subscription.id);
      });
      assert.equal(dead.attempts, TEST_RETRY.maxAttempts);
      const scrape = await bench.metrics.scrape();
      assert.match(scrape, /galley_webhook_deliveries_total\{outcome="dead_lettered"\} [1-9]/);
      assert.match(scrape, /galley_webhook_deliveries_total\{outcome="delivered"\} [1-9]/);
      await receiver.close();
    });

    test('fan-out is idempotent: re-running, even from a lost checkpoint, queues nothing twice', async () => {
      const { subscription } = await subscribe(['entry.*']);
      for (let i = 0; i < 3; i += 1) await bench.emit(tenant.id, 'entry.created', { i });
      const dispatcher = bench.dispatcher();
      assert.equal(await dispatcher.runOnce(), 3);
      assert.equal(await dispatcher.runOnce(), 0);
      // A crash between queuing and moving the checkpoint: the batch is read again.
      await webhookDb(bench.store.db)
        .deleteFrom('webhook_dispatch_checkpoints')
        .where('tenant_id', '=', tenant.id)
        .execute();
      const [a, b] = await Promise.all([bench.dispatcher().runOnce(), bench.dispatcher().runOnce()]);
      assert.equal(a + b, 0);
      await receiver.waitForRequests(3);
      await settledAttempts(subscription.id, 3);
      await pause(300);
      assert.equal(receiver.requests.length, 3);
      const seqs = receiver.requests.map((r) => (JSON.parse(r.body) as { seq: number }).seq).sort((x, y) => x - y);
      assert.equal(new Set(seqs).size, 3);
      await receiver.close();
    });

    test('patterns pick the events; a subscription never gets events older than itself', async () => {
      await bench.emit(tenant.id, 'entry.published', { before: true });
      const all = await subscribe(['entry.*'], '?sub=all');
      const published = await subscribe(['entry.published'], '?sub=published');
      const starred = await subscribe(['*.created'], '?sub=created');
      await bench.emit(tenant.id, 'entry.created');
      await bench.emit(tenant.id, 'entry.published');
      await bench.emit(tenant.id, 'asset.created');
      await bench.emit(tenant.id, 'budget.warning');
      assert.equal(await bench.dispatcher().runOnce(), 5);
      await receiver.waitForRequests(5);
      await Promise.all([
        settledAttempts(all.subscription.id, 2),
        settledAttempts(published.subscription.id, 1),
        settledAttempts(starred.subscription.id, 2),
      ]);
      const got = (sub: string) =>
        receiver.requests
          .filter((r) => r.path.endsWith(`sub=${sub}`))
          .map((r) => r.headers['galley-event'])
          .sort();
      assert.deepEqual(got('all'), ['entry.created', 'entry.published']);
      assert.deepEqual(got('published'), ['entry.published']);
      assert.deepEqual(got('created'), ['asset.created', 'entry.created']);
      assert.ok(receiver.requests.every((r) => !r.body.includes('"before":true')));
      await receiver.close();
    });

    test('redeliver sends the same event again as a new delivery', async () => {
      const { subscription, signingSecret } = await subscribe(['entry.published']);
      const event = await bench.emit(tenant.id, 'entry.published', { n: 1 });
      await bench.dispatcher().runOnce();
      const [first] = await settledAttempts(subscription.id, 1);
      assert.ok(first);
      const again = await redeliverWebhook({
        db: bench.store.db,
        queue: bench.queue,
        tenantId: tenant.id,
        deliveryId: first.deliveryId,
        subscriptionId: subscription.id,
        retry: TEST_RETRY,
        actor: 'user:admin',
      });
      assert.notEqual(again.deliveryId, first.deliveryId);
      const requests = await receiver.waitForRequests(2);
      const second = requests[1];
      assert.ok(second);
      assert.equal(second.headers['galley-delivery'], again.deliveryId);
      assert.equal((JSON.parse(second.body) as { seq: number }).seq, event.seq);
      assert.ok(verifyWebhookSignature(signingSecret, String(second.headers['galley-signature']), second.body));
      await settledAttempts(subscription.id, 2);
      await assert.rejects(
        redeliverWebhook({
          db: bench.store.db,
          queue: bench.queue,
          tenantId: (await buildTenant(bench.store.db)).id,
          deliveryId: first.deliveryId,
          actor: 'user:admin',
        }),
        (error: unknown) => isGalleyError(error, 'GALLEY_NOT_FOUND'),
      );
      await receiver.close();
    });

    test('a job whose subscription was deleted or disabled sends nothing', async () => {
      const { subscription } = await subscribe(['entry.*']);
      const event = await bench.emit(tenant.id, 'entry.created');
      const deliver = createDeliveryHandler({
        store: bench.store,
        secret: TEST_MASTER_SECRET,
        allowPrivateTargets: true,
      });
      const job = (subscriptionId: string) => ({
        id: 'job-1',
        queue: 'webhooks.deliver',
        payload: { deliveryId: 'd-1', tenantId: tenant.id, subscriptionId, seq: event.seq },
        attempt: 1,
        maxAttempts: 3,
        enqueuedAt: Date.now(),
      });
      const signal = new AbortController().signal;
      const disabled = await subscribe(['entry.*']);
      await disableWebhook({
        db: bench.store.db,
        tenantId: tenant.id,
        subscriptionId: disabled.subscription.id,
        reason: 'test',
        actor: 'x',
      });
      await deleteWebhook({ db: bench.store.db, tenantId: tenant.id, subscriptionId: subscription.id, actor: 'x' });
      assert.deepEqual(await deliver(job(subscription.id), signal), {
        status: 'skipped',
        reason: 'subscription deleted',
      });
      assert.deepEqual(await deliver(job(disabled.subscription.id), signal), {
        status: 'skipped',
        reason: 'subscription disabled',
      });
      assert.equal(await bench.dispatcher().runOnce(), 0);
      await pause(300);
      assert.equal(receiver.requests.length, 0);
      await receiver.close();
    });
  });
}
