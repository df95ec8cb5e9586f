/** TypeBox schemas of the AI routes; route types are inferred from them. */
import { Type } from 'typebox';
import { TASK_NAMES } from '../../../intelligence/tasks.ts';

const Slug = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$', description: 'Tenant slug' });
const Id = Type.String({ minLength: 1, maxLength: 160, pattern: '^[A-Za-z0-9._-]+$' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

/** `/tenants/:tenant/entries/:id/ai/:task` path parameters. */
export const TaskParams = Type.Object({
  tenant: Slug,
  id: Id,
  task: Type.String({ minLength: 1, maxLength: 40, description: `One of ${TASK_NAMES.join(', ')}` }),
});

/** `/tenants/:tenant/ai/…` path parameters. */
export const TenantParams = Type.Object({ tenant: Slug });

/** `/tenants/:tenant/ai/jobs/:job` path parameters. */
export const JobParams = Type.Object({ tenant: Slug, job: Id });

const Usage = Type.Object({ inputTokens: Type.Integer(), outputTokens: Type.Integer() });

/** A finished call's result. */
export const CallResult = Type.Object({
  status: Type.String({ description: 'ok, fallback (answered by the fallback model), error or refused' }),
  task: Type.String(),
  output: Type.Optional(Type.Unknown({ description: "The task's output (schema per task, see docs/api.md)" })),
  model: Type.String({ description: 'The model that answered; galley-local-1 is the built-in local model' }),
  promptHash: Type.String(),
  usage: Usage,
  costUsd: Type.Number(),
  latencyMs: Type.Number(),
  code: Type.Optional(Type.String()),
  error: Type.Optional(Type.String()),
  reusedFrom: Type.Optional(
    Type.Object(
      { callKey: Type.String(), similarity: Type.Number({ minimum: 0, maximum: 1 }) },
      {
        description:
          'Present when the answer was computed for an earlier, near-identical version of the entry and reused without a model call (GALLEY_AI_REUSE_SIMILARITY)',
      },
    ),
  ),
});

/** 200: answered from the memo (or reused after a small edit). */
export const TaskDone = Type.Object({ status: Type.Literal('done'), task: Type.String(), result: CallResult });

/** 202: queued. */
export const TaskQueued = Type.Object({
  status: Type.Literal('queued'),
  task: Type.String(),
  job: Type.Object({
    id: Type.String(),
    url: Type.String({ description: 'Poll this for the state and result' }),
    events: Type.String({ description: 'Server-sent events: one `completed` or `failed` event, then the stream ends' }),
  }),
});

/** An AI job. */
export const JobView = Type.Object({
  id: Type.String(),
  task: Type.String(),
  state: Type.Union([
    Type.Literal('queued'),
    Type.Literal('running'),
    Type.Literal('completed'),
    Type.Literal('failed'),
    Type.Literal('cancelled'),
  ]),
  result: Type.Optional(CallResult),
  error: Type.Optional(Type.String()),
});

/** Usage this month. */
export const UsageView = Type.Object({
  month: Type.String(),
  tier: Type.String(),
  tokens: Type.Object({ used: Type.Number(), cap: Nullable(Type.Number()) }),
  costUsd: Type.Object({ used: Type.Number(), cap: Nullable(Type.Number()) }),
  ratio: Type.Number(),
  warnings: Type.Array(Type.Number()),
  atCap: Type.String(),
  byTaskAndModel: Type.Array(
    Type.Object({
      task: Type.String(),
      model: Type.String(),
      calls: Type.Integer(),
      cacheHits: Type.Integer(),
      inputTokens: Type.Integer(),
      outputTokens: Type.Integer(),
      costUsd: Type.Number(),
    }),
  ),
});

/** `?month=yyyy-mm` */
export const UsageQuery = Type.Object({ month: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}$' })) });

/** Audit listing query. */
export const CallsQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, description: 'Default 50' })),
  cursor: Type.Optional(Type.String({ maxLength: 500 })),
  task: Type.Optional(Type.String({ maxLength: 40 })),
});

/** A page of audited calls. */
export const CallPage = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      userId: Type.String(),
      task: Type.String(),
      entryId: Nullable(Type.String()),
      flagVariant: Type.String(),
      promptHash: Type.String(),
      requestedModel: Type.String(),
      model: Type.String(),
      inputHash: Type.String(),
      outputHash: Nullable(Type.String()),
      inputTokens: Type.Integer(),
      outputTokens: Type.Integer(),
      costUsd: Type.Number(),
      latencyMs: Type.Number(),
      cacheHit: Type.Boolean(),
      shadow: Type.Boolean(),
      status: Type.String(),
      error: Nullable(Type.String()),
      createdAt: Type.String(),
    }),
  ),
  next: Nullable(Type.String()),
});

/** `PATCH …/ai/settings` body. */
export const SettingsBody = Type.Object(
  {
    tier: Type.Optional(Type.Union([Type.Literal('free'), Type.Literal('standard'), Type.Literal('enterprise')])),
    monthlyTokenCap: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
    monthlyCostCapUsd: Type.Optional(Nullable(Type.Number({ minimum: 0 }))),
    atCap: Type.Optional(Type.Union([Type.Literal('fallback'), Type.Literal('refuse')])),
    redactPii: Type.Optional(Type.Boolean()),
    recordContent: Type.Optional(Type.Boolean({ description: 'Record prompts and outputs on model-call trace spans' })),
  },
  { additionalProperties: false, minProperties: 1 },
);
