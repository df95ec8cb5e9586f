/** The SSRF guard at delivery time, on every backend: a worker that refuses private targets sends nothing to them. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTenant } from '../../../test/factories.ts';
import { BACKENDS } from '../../../test/support/backends.ts';
import { startWebhookReceiver } from '../../../test/support/webhookReceiver.ts';
import { listDeliveries } from './deliveryLog.ts';
import { openWebhookBench, TEST_MASTER_SECRET, type WebhookBench, waitUntil } from './testing.ts';
import { createWebhook } from './webhookCreator.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const backend of BACKENDS) {
  describe(`webhook delivery SSRF guard (${backend})`, () => {
    let bench: WebhookBench;
    before(async () => {
      bench = await openWebhookBench(backend);
      // The worker runs with private targets refused, as production does.
      bench.startDeliveryWorker({ allowPrivateTargets: false });
    });
    after(async () => {
      await bench.cleanup();
    });

    test('a loopback target saved while allowed is refused at delivery, without a request', async () => {
      const receiver = await startWebhookReceiver();
      const tenant = await buildTenant(bench.store.db);
      const port = new URL(receiver.url).port;
      const subscriptions = [];
      for (const url of [receiver.url, `http://localhost:${port}/hooks`]) {
        const { subscription } = await createWebhook({
          db: bench.store.db,
          secret: TEST_MASTER_SECRET,
          tenantId: tenant.id,
          url,
          events: ['*'],
          allowPrivateTargets: true,
          actor: 'system',
        });
        subscriptions.push(subscription);
      }
      await bench.emit(tenant.id, 'entry.published');
      await bench.dispatcher().runOnce();
      for (const s of subscriptions) {
        const [attempt] = await waitUntil('refused attempt', async () => {
          const page = await listDeliveries(bench.store.db, tenant.id, s.id);
          return page.items.length > 0 ? page.items : undefined;
        });
        assert.equal(attempt?.status, 'refused', s.url);
        assert.match(attempt?.error ?? '', /refused/);
      }
      await pause(300);
      assert.equal(receiver.requests.length, 0);
      await receiver.close();
    });
  });
}
