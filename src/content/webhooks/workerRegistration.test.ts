/** The worker role as `galley serve --roles worker` starts it: JOBS + BACKGROUND_LOOPS deliver an appended event. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTenant } from '../../../test/factories.ts';
import { BACKENDS } from '../../../test/support/backends.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../../test/support/webhookReceiver.ts';
import { loadConfig } from '../../config/config.ts';
import type { Worker } from '../../data/queue/port.ts';
import { BACKGROUND_LOOPS, JOBS, startWorkers } from '../../experience/workers.ts';
import { WEBHOOK_DELIVER_QUEUE } from './deliveryQueue.ts';
import { verifyWebhookSignature } from './signature.ts';
import { openWebhookBench, TEST_MASTER_SECRET, type WebhookBench } from './testing.ts';
import { createWebhook } from './webhookCreator.ts';
import { WEBHOOK_DELIVERY_JOB, WEBHOOK_DISPATCH_LOOP } from './workerRegistration.ts';

test('webhooks are registered with the worker role', () => {
  assert.ok(JOBS.includes(WEBHOOK_DELIVERY_JOB));
  assert.equal(WEBHOOK_DELIVERY_JOB.queue, WEBHOOK_DELIVER_QUEUE);
  assert.ok(BACKGROUND_LOOPS.includes(WEBHOOK_DISPATCH_LOOP));
});

for (const backend of BACKENDS) {
  describe(`webhooks in the worker role (${backend})`, () => {
    let bench: WebhookBench;
    let receiver: WebhookReceiver;
    let workers: Worker[] = [];
    before(async () => {
      bench = await openWebhookBench(backend);
      receiver = await startWebhookReceiver();
      const config = loadConfig({}, { secret: TEST_MASTER_SECRET, webhooksAllowPrivate: true, logLevel: 'silent' });
      workers = startWorkers(bench.plane, config, bench.metrics, [WEBHOOK_DELIVERY_JOB], [WEBHOOK_DISPATCH_LOOP]);
    });
    after(async () => {
      await Promise.all(workers.map((w) => w.close(1000)));
      await receiver.close();
      await bench.cleanup();
    });

    test('an appended event reaches the receiver without anyone running the dispatcher by hand', async () => {
      const tenant = await buildTenant(bench.store.db);
      const { signingSecret } = await createWebhook({
        db: bench.store.db,
        secret: TEST_MASTER_SECRET,
        tenantId: tenant.id,
        url: receiver.url,
        events: ['entry.published'],
        allowPrivateTargets: true,
        actor: 'system',
      });
      await bench.emit(tenant.id, 'entry.published', { id: 'e1' });
      const [request] = await receiver.waitForRequests(1);
      assert.ok(request);
      assert.ok(verifyWebhookSignature(signingSecret, String(request.headers['galley-signature']), request.body));
    });
  });
}
