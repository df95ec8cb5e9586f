/** TypeBox schemas of the eval routes; types are inferred from them. */
import { type Static, Type } from 'typebox';
import { TASK_NAMES } from '../../../intelligence/tasks.ts';

/** `?task=` of `GET /ai/evals/latest`. */
export const EvalLatestQuerySchema = Type.Object(
  { task: Type.Optional(Type.Union(TASK_NAMES.map((t) => Type.Literal(t)))) },
  { additionalProperties: false },
);

const GateCheckSchema = Type.Object({
  metric: Type.String(),
  actual: Type.Number(),
  limit: Type.Number(),
  pass: Type.Boolean(),
});

const CaseSummarySchema = Type.Object({
  id: Type.String(),
  tags: Type.Array(Type.String()),
  pass: Type.Boolean(),
  score: Type.Number(),
  latencyMs: Type.Number(),
  error: Type.Optional(Type.String()),
  failures: Type.Array(Type.String({ description: 'Failing assertions: `<type>: <reason>`' })),
});

/** One task's latest run as the admin page shows it. */
export const EvalRunSummarySchema = Type.Object({
  id: Type.String(),
  task: Type.String(),
  label: Type.Optional(Type.String()),
  promptHash: Type.String(),
  model: Type.String(),
  startedAt: Type.String(),
  finishedAt: Type.String(),
  casesFile: Type.String(),
  casesSha256: Type.String(),
  figures: Type.Object({
    cases: Type.Integer(),
    passed: Type.Integer(),
    passRate: Type.Number(),
    meanScore: Type.Number(),
    p95LatencyMs: Type.Number(),
    tokensPerCase: Type.Number(),
    costPerCaseUsd: Type.Number(),
  }),
  gate: Type.Object({ pass: Type.Boolean(), checks: Type.Array(GateCheckSchema) }),
  skipped: Type.Object({ count: Type.Integer(), notice: Type.Optional(Type.String()) }),
  cases: Type.Array(CaseSummarySchema),
});

/** `GET /ai/evals/latest` 200 body. */
export const EvalLatestSchema = Type.Object({ runs: Type.Array(EvalRunSummarySchema) });

/** One run summary. */
export type EvalRunSummary = Static<typeof EvalRunSummarySchema>;
