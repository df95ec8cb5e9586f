/** TypeBox schemas of the webhook management routes; route types are inferred from them. */
import { type Static, Type } from 'typebox';
import { MAX_EVENT_PATTERNS } from '../../../content/webhooks/eventPatterns.ts';
import { MAX_DESCRIPTION_LENGTH } from '../../../content/webhooks/subscriptions.ts';
import { MAX_WEBHOOK_URL_LENGTH } from '../../../content/webhooks/targetGuard.ts';

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' });
const Timestamp = Type.String({ description: 'ISO-8601' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

const Url = Type.String({
  minLength: 1,
  maxLength: MAX_WEBHOOK_URL_LENGTH,
  description: 'http(s) endpoint receiving the POSTs; private and loopback targets are refused in production',
});
const Events = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
  minItems: 1,
  maxItems: MAX_EVENT_PATTERNS,
  description: "Event names or patterns: 'entry.published', 'entry.*' (one or more trailing segments), '*' (all)",
});
const Description = Type.String({ maxLength: MAX_DESCRIPTION_LENGTH });

/** `/tenants/:tenant/webhooks` path parameters. */
export const TenantParams = Type.Object({
  tenant: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$', description: 'Tenant slug' }),
});

/** `/tenants/:tenant/webhooks/:id` path parameters. */
export const WebhookParams = Type.Object({ ...TenantParams.properties, id: Id });

/** `…/webhooks/:id/deliveries/:deliveryId/redeliver` path parameters. */
export const RedeliverParams = Type.Object({
  ...WebhookParams.properties,
  deliveryId: Type.String({ ...Id, description: 'A delivery id, or the id of one of its attempts' }),
});

/** `POST /webhooks` body. */
export const WebhookCreateBody = Type.Object(
  { url: Url, events: Events, description: Type.Optional(Description) },
  { additionalProperties: false },
);

/** `PATCH /webhooks/:id` body: any subset of the fields. */
export const WebhookUpdateBody = Type.Object(
  {
    url: Type.Optional(Url),
    events: Type.Optional(Events),
    description: Type.Optional(Description),
    enabled: Type.Optional(Type.Boolean({ description: 'false stops deliveries; true resumes with new events' })),
    rotateSecret: Type.Optional(Type.Boolean({ description: 'Issue a new signing secret (returned once)' })),
  },
  { additionalProperties: false, minProperties: 1 },
);

/** `GET …/deliveries` query. */
export const DeliveriesQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'The `next` of the previous page' })),
  },
  { additionalProperties: false },
);

/** A subscription. */
export const WebhookSchema = Type.Object({
  id: Type.String(),
  tenant: Type.String({ description: 'Tenant slug' }),
  url: Type.String(),
  events: Type.Array(Type.String()),
  description: Type.String(),
  enabled: Type.Boolean(),
  disabledAt: Nullable(Timestamp),
  disabledReason: Nullable(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

/** A subscription plus its signing secret: the create answer, and the update answer after a rotation. */
export const WebhookWithSecret = Type.Object({
  ...WebhookSchema.properties,
  secret: Type.Optional(
    Type.String({ description: 'Signing secret (whsec_…) for Galley-Signature; shown only in this response' }),
  ),
});

/** `GET /webhooks` answer. */
export const WebhookList = Type.Object({ items: Type.Array(WebhookSchema) });

/** One delivery attempt. */
export const DeliveryAttemptSchema = Type.Object({
  id: Type.String({ description: 'The attempt' }),
  deliveryId: Type.String({ description: 'The delivery (Galley-Delivery header), shared by its retries' }),
  webhookId: Type.String(),
  seq: Type.Integer({ description: "The event's per-tenant sequence number" }),
  event: Type.String(),
  attempt: Type.Integer(),
  status: Type.Union(
    [
      Type.Literal('delivered'),
      Type.Literal('retrying'),
      Type.Literal('failed'),
      Type.Literal('gone'),
      Type.Literal('refused'),
    ],
    { description: 'retrying: failed, will be retried; failed: the last attempt failed; refused: SSRF guard' },
  ),
  responseStatus: Nullable(Type.Integer()),
  responseMs: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
  createdAt: Timestamp,
});

/** `GET …/deliveries` answer: newest first. */
export const DeliveryPageSchema = Type.Object({
  items: Type.Array(DeliveryAttemptSchema),
  next: Nullable(Type.String()),
});

/** `POST …/redeliver` answer (202): the new delivery. */
export const RedeliveryAccepted = Type.Object({
  deliveryId: Type.String(),
  webhookId: Type.String(),
  seq: Type.Integer(),
});

/** An empty success response (204). */
export const NoContent = Type.Null({ description: 'No body' });

/** A subscription as sent. */
export type WebhookJson = Static<typeof WebhookSchema>;
/** A delivery attempt as sent. */
export type DeliveryAttemptJson = Static<typeof DeliveryAttemptSchema>;
