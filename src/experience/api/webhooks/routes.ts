/**
 * Webhook management over HTTP, under `/api/v1/tenants/:tenant` (`:tenant` is the tenant slug):
 *
 *   GET    /webhooks                                         list (200)
 *   POST   /webhooks                                         create (201, with the signing secret, shown once)
 *   GET    /webhooks/:id                                     read (200)
 *   PATCH  /webhooks/:id                                     change, enable/disable, rotate the secret (200)
 *   DELETE /webhooks/:id                                     delete with its log (204)
 *   GET    /webhooks/:id/deliveries?limit&cursor             delivery log, newest first (200)
 *   POST   /webhooks/:id/deliveries/:deliveryId/redeliver    send an event again (202)
 *
 * Every route needs a bearer token (requireAuth); the tenant is checked first (an unknown slug and another
 * tenant's slug both answer 404), then the role (owner or admin, policy.ts). Handlers call one use case each.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { listDeliveries } from '../../../content/webhooks/deliveryLog.ts';
import { authorizeWebhookManagement } from '../../../content/webhooks/policy.ts';
import { getWebhook, listWebhooks } from '../../../content/webhooks/subscriptions.ts';
import { createWebhook } from '../../../content/webhooks/webhookCreator.ts';
import { deleteWebhook } from '../../../content/webhooks/webhookDeleter.ts';
import { redeliverWebhook } from '../../../content/webhooks/webhookRedeliverer.ts';
import { updateWebhook } from '../../../content/webhooks/webhookUpdater.ts';
import { loadSecret } from '../../auth/secrets.ts';
import { requireAuth, requireTenantAccess } from '../../auth/verify/authenticate.ts';
import { GalleyError } from '../../errors/errors.ts';
import { problemResponse } from '../../http/problem.ts';
import type { ApiContext } from '../index.ts';
import { presentDeliveryAttempt, presentWebhook } from './presenters.ts';
import {
  DeliveriesQuery,
  DeliveryPageSchema,
  NoContent,
  RedeliverParams,
  RedeliveryAccepted,
  TenantParams,
  WebhookCreateBody,
  WebhookList,
  WebhookParams,
  WebhookSchema,
  WebhookUpdateBody,
  WebhookWithSecret,
} from './schemas.ts';

const TAGS = ['webhooks'];
const ERRORS = {
  401: problemResponse('Missing or refused bearer token (GALLEY_UNAUTHENTICATED)'),
  403: problemResponse('Not an owner or admin of the tenant (GALLEY_FORBIDDEN)'),
  404: problemResponse('No such tenant, webhook or delivery (GALLEY_NOT_FOUND)'),
};

/** The caller's actor string for events. */
function actorOf(request: FastifyRequest): string {
  const p = request.principal;
  return p === null ? 'system' : `${p.kind}:${p.subject}`;
}

/** Registers the webhook routes (mounted under `/api/v1`). */
export const webhookRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, { config, plane }) => {
  const db = plane.store.db;
  let masterSecret: string | undefined;
  // Read on first use: an app that never manages webhooks never touches the secret file.
  const secret = (): string => {
    masterSecret ??= loadSecret(config);
    return masterSecret;
  };
  const allowPrivateTargets = config.webhooksAllowPrivate;

  app.addHook('onRequest', requireAuth);

  /** Tenant check first, then the role; resolves with the tenant id. */
  async function authorize(request: FastifyRequest, slug: string): Promise<string> {
    const tenant = await db.selectFrom('tenants').select('id').where('slug', '=', slug).executeTakeFirst();
    if (tenant === undefined) throw new GalleyError('GALLEY_NOT_FOUND', 'tenant not found');
    const principal = requireTenantAccess(request, tenant.id);
    authorizeWebhookManagement(principal, tenant.id);
    return tenant.id;
  }

  const base = '/tenants/:tenant/webhooks';

  app.get(
    base,
    {
      schema: {
        tags: TAGS,

        summary: "List the tenant's webhooks",
        params: TenantParams,
        response: { 200: WebhookList, ...ERRORS },
      },
    },
    async (request) => {
      const tenantId = await authorize(request, request.params.tenant);
      const items = await listWebhooks(db, tenantId);
      return { items: items.map((s) => presentWebhook(s, request.params.tenant)) };
    },
  );

  app.post(
    base,
    {
      schema: {
        tags: TAGS,

        summary: 'Create a webhook; the answer carries its signing secret, shown only once',
        params: TenantParams,
        body: WebhookCreateBody,
        response: {
          201: WebhookWithSecret,
          400: problemResponse('Bad URL, refused target or bad event list (GALLEY_VALIDATION_FAILED)'),
          409: problemResponse('The tenant has the most webhooks allowed (GALLEY_CONFLICT)'),
          ...ERRORS,
        },
      },
    },
    async (request, reply) => {
      const tenantId = await authorize(request, request.params.tenant);
      const created = await createWebhook({
        db,
        secret: secret(),
        tenantId,
        url: request.body.url,
        events: request.body.events,
        ...(request.body.description === undefined ? {} : { description: request.body.description }),
        allowPrivateTargets,
        actor: actorOf(request),
      });
      reply.header('cache-control', 'no-store');
      return reply
        .code(201)
        .send({ ...presentWebhook(created.subscription, request.params.tenant), secret: created.signingSecret });
    },
  );

  app.get(
    `${base}/:id`,
    {
      schema: {
        tags: TAGS,

        summary: 'Read a webhook',
        params: WebhookParams,
        response: { 200: WebhookSchema, ...ERRORS },
      },
    },
    async (request) => {
      const tenantId = await authorize(request, request.params.tenant);
      return presentWebhook(await getWebhook(db, tenantId, request.params.id), request.params.tenant);
    },
  );

  app.patch(
    `${base}/:id`,
    {
      schema: {
        tags: TAGS,

        summary: 'Change a webhook, enable or disable it, or rotate its signing secret',
        params: WebhookParams,
        body: WebhookUpdateBody,
        response: { 200: WebhookWithSecret, 400: problemResponse('Bad input (GALLEY_VALIDATION_FAILED)'), ...ERRORS },
      },
    },
    async (request, reply) => {
      const tenantId = await authorize(request, request.params.tenant);
      const updated = await updateWebhook({
        db,
        secret: secret(),
        tenantId,
        subscriptionId: request.params.id,
        changes: request.body,
        allowPrivateTargets,
        actor: actorOf(request),
      });
      const json = presentWebhook(updated.subscription, request.params.tenant);
      if (updated.signingSecret === undefined) return json;
      reply.header('cache-control', 'no-store');
      return { ...json, secret: updated.signingSecret };
    },
  );

  app.delete(
    `${base}/:id`,
    {
      schema: {
        tags: TAGS,

        summary: 'Delete a webhook and its delivery log',
        params: WebhookParams,
        response: { 204: NoContent, ...ERRORS },
      },
    },
    async (request, reply) => {
      const tenantId = await authorize(request, request.params.tenant);
      await deleteWebhook({ db, tenantId, subscriptionId: request.params.id, actor: actorOf(request) });
      return reply.code(204).send(null);
    },
  );

  app.get(
    `${base}/:id/deliveries`,
    {
      schema: {
        tags: TAGS,

        summary: "A webhook's delivery attempts, newest first (keyset pages)",
        params: WebhookParams,
        querystring: DeliveriesQuery,
        response: { 200: DeliveryPageSchema, 400: problemResponse('Bad cursor (GALLEY_VALIDATION_FAILED)'), ...ERRORS },
      },
    },
    async (request) => {
      const tenantId = await authorize(request, request.params.tenant);
      const subscription = await getWebhook(db, tenantId, request.params.id);
      const page = await listDeliveries(db, tenantId, subscription.id, {
        ...(request.query.limit === undefined ? {} : { limit: request.query.limit }),
        ...(request.query.cursor === undefined ? {} : { cursor: request.query.cursor }),
      });
      return { items: page.items.map(presentDeliveryAttempt), next: page.next };
    },
  );

  app.post(
    `${base}/:id/deliveries/:deliveryId/redeliver`,
    {
      schema: {
        tags: TAGS,

        summary: "Send a delivery's event again, as a new delivery",
        params: RedeliverParams,
        response: {
          202: RedeliveryAccepted,
          409: problemResponse('The webhook is disabled (GALLEY_CONFLICT)'),
          ...ERRORS,
        },
      },
    },
    async (request, reply) => {
      const tenantId = await authorize(request, request.params.tenant);
      const redelivery = await redeliverWebhook({
        db,
        queue: plane.queue,
        tenantId,
        subscriptionId: request.params.id,
        deliveryId: request.params.deliveryId,
        actor: actorOf(request),
      });
      return reply
        .code(202)
        .send({ deliveryId: redelivery.deliveryId, webhookId: redelivery.subscriptionId, seq: redelivery.seq });
    },
  );
};
