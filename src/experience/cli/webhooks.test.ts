/** `galley webhooks list|deliveries|redeliver` against a real store and queue on every backend. */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTenant } from '../../../test/factories.ts';
import { BACKENDS } from '../../../test/support/backends.ts';
import { cliConfig, runCli } from '../../../test/support/cli.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../../test/support/webhookReceiver.ts';
import type { Config } from '../../config/config.ts';
import { listDeliveries } from '../../content/webhooks/deliveryLog.ts';
import { openWebhookBench, TEST_MASTER_SECRET, type WebhookBench, waitUntil } from '../../content/webhooks/testing.ts';
import { createWebhook } from '../../content/webhooks/webhookCreator.ts';
import type { TenantsTable } from '../../data/store/schema.ts';
import { runWebhooks } from './webhooks.ts';

/** A config whose store and queue are the bench's (its SQLite file, or its schema and Redis prefix). */
function configFor(bench: WebhookBench): Config {
  return cliConfig(
    { location: bench.location, schema: bench.schema },
    { secret: TEST_MASTER_SECRET, logLevel: 'silent', webhooksAllowPrivate: true },
    bench.redisPrefix,
  );
}

function invoke(args: readonly string[], config: Config) {
  return runCli(runWebhooks, args, config);
}

for (const backend of BACKENDS) {
  describe(`galley webhooks (${backend})`, () => {
    let bench: WebhookBench;
    let receiver: WebhookReceiver;
    let tenant: TenantsTable;
    let config: Config;
    before(async () => {
      bench = await openWebhookBench(backend);
      receiver = await startWebhookReceiver();
      tenant = await buildTenant(bench.store.db);
      config = configFor(bench);
    });
    after(async () => {
      await receiver.close();
      await bench.cleanup();
    });

    test('list, deliveries and redeliver', async () => {
      const { subscription } = await createWebhook({
        db: bench.store.db,
        secret: TEST_MASTER_SECRET,
        tenantId: tenant.id,
        url: receiver.url,
        events: ['entry.*'],
        allowPrivateTargets: true,
        actor: 'system',
      });
      const listed = await invoke(['list', '--tenant', tenant.slug], config);
      assert.equal(listed.code, 0, listed.output);
      assert.match(listed.output, new RegExp(`${subscription.id}  ${receiver.url}  events=entry\\.\\*  enabled`));
      assert.match(listed.output, /1 webhook\(s\)/);

      // Commands run with no worker polling this database: in one process, a second SQLite connection waiting
      // for the write lock blocks the event loop that would release it (separate processes do not have this).
      const worker = bench.startDeliveryWorker();
      const event = await bench.emit(tenant.id, 'entry.published');
      await bench.dispatcher().runOnce();
      const [attempt] = await waitUntil('a logged attempt', async () => {
        const page = await listDeliveries(bench.store.db, tenant.id, subscription.id);
        return page.items.length > 0 ? page.items : undefined;
      });
      assert.ok(attempt);
      await worker.close(1000);
      const shown = await invoke(['deliveries', '--tenant', tenant.slug], config);
      assert.equal(shown.code, 0, shown.output);
      assert.match(
        shown.output,
        new RegExp(`${attempt.deliveryId}  attempt=1  delivered  200  \\d+ms  seq=${event.seq} entry.published`),
      );

      const redelivered = await invoke(['redeliver', attempt.deliveryId], config);
      assert.equal(redelivered.code, 0, redelivered.output);
      const newId = /queued redelivery (\S+) of/.exec(redelivered.output)?.[1];
      assert.ok(newId, redelivered.output);
      const again = bench.startDeliveryWorker();
      const requests = await receiver.waitForRequests(2);
      assert.ok(requests.some((r) => r.headers['galley-delivery'] === newId));
      await again.close(1000);
    });

    test('bad usage exits 2; unknown tenants and deliveries exit 1', async () => {
      assert.equal((await invoke([], config)).code, 2);
      assert.equal((await invoke(['list'], config)).code, 2);
      assert.equal((await invoke(['redeliver'], config)).code, 2);
      assert.equal((await invoke(['deliveries', '--tenant', tenant.slug, '--limit', '0'], config)).code, 2);
      assert.equal((await invoke(['list', '--tenant', 'no-such-tenant'], config)).code, 1);
      const missing = await invoke(['redeliver', 'no-such-delivery'], config);
      assert.equal(missing.code, 1);
      assert.match(missing.output, /no delivery "no-such-delivery"/);
    });
  });
}
