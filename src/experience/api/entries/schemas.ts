/** TypeBox schemas of the content management routes (entries, search, content types); route types are inferred. */
import { type Static, Type } from 'typebox';
import { MAX_PAGE_SIZE } from '../../../content/entries/types.ts';

const Timestamp = Type.String({ description: 'ISO-8601' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const Status = Type.Union([Type.Literal('draft'), Type.Literal('published'), Type.Literal('changed')], {
  description: 'draft: never published; published: unchanged since; changed: published with newer edits',
});
const Fields = Type.Record(Type.String(), Type.Unknown(), { description: 'Field values by field name' });
const Limit = Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 20 });
const Cursor = Type.String({ maxLength: 500, description: 'The `next` of the previous page' });

/** `/tenants/:tenant` path parameters (`:tenant` is the tenant slug). */
export const TenantParams = Type.Object({
  tenant: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$', description: 'Tenant slug' }),
});

/** `/tenants/:tenant/entries/:id` path parameters. */
export const EntryParams = Type.Object({
  ...TenantParams.properties,
  id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_-]*$' }),
});

/** `/tenants/:tenant/content-types/:name` path parameters. */
export const ContentTypeParams = Type.Object({
  ...TenantParams.properties,
  name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z][a-z0-9_]*$' }),
});

/** `POST /entries` body. */
export const EntryCreateBody = Type.Object(
  {
    type: Type.String({ minLength: 1, maxLength: 64, description: 'Content type name, e.g. article' }),
    fields: Fields,
  },
  { additionalProperties: false },
);

/** `PATCH /entries/:id` body: fields to set; null removes an optional field; fields not named keep their value. */
export const EntryPatchBody = Type.Object({ fields: Fields }, { additionalProperties: false });

/** `POST /entries/:id/schedule` body. */
export const ScheduleBody = Type.Object(
  { at: Nullable(Type.String({ format: 'date-time', description: 'When to publish; null cancels' })) },
  { additionalProperties: false },
);

/** `POST /entries/:id/restore` body. */
export const RestoreBody = Type.Object(
  { revision: Type.Integer({ minimum: 1, description: 'The version whose fields become the new version' }) },
  { additionalProperties: false },
);

/** `GET /entries` query. */
export const EntryListQuery = Type.Object(
  {
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Cursor),
    type: Type.Optional(Type.String({ maxLength: 64 })),
    status: Type.Optional(Status),
    tag: Type.Optional(Type.String({ maxLength: 200 })),
    author: Type.Optional(Type.String({ maxLength: 200, description: "Author's principal subject" })),
    updatedFrom: Type.Optional(Type.String({ format: 'date-time', description: 'Inclusive lower bound' })),
    updatedTo: Type.Optional(Type.String({ format: 'date-time', description: 'Exclusive upper bound' })),
    estimateCount: Type.Optional(Type.Boolean({ description: 'Also return estimatedCount (never exact)' })),
  },
  { additionalProperties: false },
);

/** `GET /entries/:id/revisions` query. */
export const PageQuery = Type.Object(
  { limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) },
  { additionalProperties: false },
);

/** `GET /search` query. */
export const SearchQuerySchema = Type.Object(
  {
    q: Type.String({ minLength: 1, maxLength: 500, description: 'Words, "phrases", -excluded, or' }),
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Cursor),
    type: Type.Optional(Type.String({ maxLength: 64 })),
    status: Type.Optional(Status),
    tag: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

/** An entry. */
export const EntrySchema = Type.Object({
  id: Type.String(),
  tenant: Type.String({ description: 'Tenant slug' }),
  type: Type.String(),
  fields: Fields,
  status: Status,
  version: Type.Integer({ description: 'Also the ETag: "<id>.<version>"' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  publishedAt: Nullable(Timestamp),
  authorId: Type.String(),
  publishedVersion: Nullable(Type.Integer()),
  scheduledPublishAt: Nullable(Timestamp),
});

/** `GET /entries` answer: newest first. */
export const EntryPageSchema = Type.Object({
  items: Type.Array(EntrySchema),
  next: Nullable(Type.String()),
  estimatedCount: Type.Optional(Type.Integer({ description: 'Estimate from statistics, when asked' })),
});

/** One revision. */
export const RevisionSchema = Type.Object({
  version: Type.Integer(),
  event: Type.String(),
  actor: Type.String(),
  status: Status,
  fields: Fields,
  contentHash: Type.String(),
  changed: Type.Array(Type.String()),
  createdAt: Timestamp,
});

/** `GET /entries/:id/revisions` answer: newest first. */
export const RevisionPageSchema = Type.Object({ items: Type.Array(RevisionSchema), next: Nullable(Type.String()) });

/** One search hit. */
export const SearchHitSchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  snippet: Type.String({ description: 'HTML-escaped excerpt with <mark> around matched terms' }),
  type: Type.String(),
  status: Type.String(),
  score: Type.Number({ description: 'Higher is better; comparable within one result list only' }),
  updatedAt: Timestamp,
});

/** `GET /search` answer: best first. */
export const SearchPageSchema = Type.Object({ items: Type.Array(SearchHitSchema), next: Nullable(Type.String()) });

const FieldDefinitionSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64 }),
    kind: Type.Union([
      Type.Literal('text'),
      Type.Literal('richtext'),
      Type.Literal('number'),
      Type.Literal('boolean'),
      Type.Literal('date'),
      Type.Literal('reference'),
      Type.Literal('tags'),
      Type.Literal('slug'),
    ]),
    required: Type.Optional(Type.Boolean()),
    label: Type.Optional(Type.String({ maxLength: 200 })),
    maxLength: Type.Optional(Type.Integer({ minimum: 1 })),
    min: Type.Optional(Type.Number()),
    max: Type.Optional(Type.Number()),
    integer: Type.Optional(Type.Boolean()),
    maxItems: Type.Optional(Type.Integer({ minimum: 1 })),
    referenceTypes: Type.Optional(Type.Array(Type.String({ maxLength: 64 }))),
  },
  { additionalProperties: false },
);

/** `PUT /content-types/:name` body: the full definition (fields absent here are removed). */
export const ContentTypeBody = Type.Object(
  {
    label: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    fields: Type.Array(FieldDefinitionSchema, { maxItems: 100 }),
    titleField: Type.Optional(Type.String({ maxLength: 64 })),
    migration: Type.Optional(
      Type.Union([Type.Literal('additive'), Type.Literal('explicit')], {
        description: 'additive (default) refuses changes that could invalidate existing entries',
      }),
    ),
  },
  { additionalProperties: false },
);

/** A content type. */
export const ContentTypeSchema = Type.Object({
  name: Type.String(),
  label: Type.String(),
  fields: Type.Array(FieldDefinitionSchema),
  titleField: Nullable(Type.String()),
  version: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

/** `GET /content-types` answer. */
export const ContentTypeList = Type.Object({ items: Type.Array(ContentTypeSchema) });

/** An empty success response (204). */
export const NoContent = Type.Null({ description: 'No body' });

/** `PATCH` body as received. */
export type EntryPatch = Static<typeof EntryPatchBody>;
