/**
 * How webhooks plug into the worker role (experience/workers.ts): the `webhooks.deliver` job kind and the
 * fan-out loop, both configured from the process configuration (master secret, GALLEY_WEBHOOKS_ALLOW_PRIVATE,
 * production retry schedule).
 */
import { loadSecret } from '../../experience/auth/secrets.ts';
import type { BackgroundLoop, JobRegistration } from '../../experience/workers.ts';
import { createDeliveryHandler } from './deliveryHandler.ts';
import { parseDeliveryJob, WEBHOOK_DELIVER_QUEUE } from './deliveryQueue.ts';
import { startDispatchLoop } from './dispatchLoop.ts';
import { createWebhookDispatcher } from './webhookDispatcher.ts';

/** At most one warning per this many ms, so a database outage does not print four lines a second. */
const WARN_EVERY_MS = 60_000;

/** The delivery job kind. */
export const WEBHOOK_DELIVERY_JOB: JobRegistration = Object.freeze<JobRegistration>({
  queue: WEBHOOK_DELIVER_QUEUE,
  handler(plane, { config, metrics }) {
    const deliver = createDeliveryHandler({
      store: plane.store,
      secret: loadSecret(config),
      allowPrivateTargets: config.webhooksAllowPrivate,
      metrics,
    });
    return (job, signal) => deliver({ ...job, payload: parseDeliveryJob(job.payload) }, signal);
  },
});

/** The fan-out loop: event log → delivery jobs, every 250 ms. */
export const WEBHOOK_DISPATCH_LOOP: BackgroundLoop = Object.freeze<BackgroundLoop>({
  name: 'webhooks.dispatch',
  start(plane) {
    let lastWarning = 0;
    const loop = startDispatchLoop({
      dispatcher: createWebhookDispatcher({ store: plane.store, queue: plane.queue }),
      onError(error) {
        if (Date.now() - lastWarning < WARN_EVERY_MS) return;
        lastWarning = Date.now();
        process.emitWarning(error instanceof Error ? error : new Error(String(error)), { code: 'GALLEY_WEBHOOKS' });
      },
    });
    return { close: () => loop.close() };
  },
});
