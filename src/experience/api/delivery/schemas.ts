/** TypeBox schemas of the public delivery routes. */
import { Type } from 'typebox';
import { MAX_PAGE_SIZE } from '../../../content/entries/types.ts';

/** `/cdn/v1/:tenant/...` path parameters (`:tenant` is the tenant slug). */
export const DeliveryTenantParams = Type.Object({
  tenant: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$', description: 'Tenant slug' }),
});

/** `/cdn/v1/:tenant/entries/:idOrSlug` path parameters. */
export const DeliveryEntryParams = Type.Object({
  ...DeliveryTenantParams.properties,
  idOrSlug: Type.String({ minLength: 1, maxLength: 200, description: 'An entry id, or a slug' }),
});

/** Query of the one-entry route. */
export const DeliveryOneQuery = Type.Object(
  { type: Type.Optional(Type.String({ maxLength: 64, description: 'Narrows a slug lookup to one type' })) },
  { additionalProperties: false },
);

/** Query of the list route. */
export const DeliveryListQuery = Type.Object(
  {
    type: Type.Optional(Type.String({ maxLength: 64 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 20 })),
    cursor: Type.Optional(Type.String({ maxLength: 500, description: 'The `next` of the previous page' })),
  },
  { additionalProperties: false },
);

/** A published entry. */
export const PublishedEntrySchema = Type.Object({
  id: Type.String(),
  tenant: Type.String({ description: 'Tenant slug' }),
  type: Type.String(),
  slug: Type.Union([Type.String(), Type.Null()]),
  fields: Type.Record(Type.String(), Type.Unknown()),
  version: Type.Integer({ description: 'The published version' }),
  createdAt: Type.String(),
  publishedAt: Type.String(),
});

/** A page of published entries. */
export const PublishedEntryPage = Type.Object({
  items: Type.Array(PublishedEntrySchema),
  next: Type.Union([Type.String(), Type.Null()]),
});

/** Query of the search route. */
export const DeliverySearchQuery = Type.Object(
  {
    q: Type.String({ minLength: 1, maxLength: 500, description: 'Words, "phrases", -excluded, or' }),
    type: Type.Optional(Type.String({ maxLength: 64 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 20 })),
    cursor: Type.Optional(Type.String({ maxLength: 500, description: 'The `next` of the previous page' })),
  },
  { additionalProperties: false },
);

/** A published entry found by search. */
export const PublishedSearchHitSchema = Type.Object({
  ...PublishedEntrySchema.properties,
  snippet: Type.String({ description: 'HTML-escaped excerpt with <mark> around matched terms' }),
  score: Type.Number({ description: 'Higher is better; comparable within one result list only' }),
});

/** A page of search hits over published entries, best first. */
export const PublishedSearchPage = Type.Object({
  items: Type.Array(PublishedSearchHitSchema),
  next: Type.Union([Type.String(), Type.Null()]),
});
