/**
 * One golden case, as a line of `evals/<task>/cases.jsonl`:
 *
 *   { "id", "input": { title, body, tags, locale?, context? }, "expectations": [assertion, …],
 *     "rubric", "tags": [...], "source", "licence" }
 *
 * `expectations` are promptfoo-style assertions (assertions/assertion.ts); `rubric` is the plain-words standard a
 * judge model grades against (an `llm-rubric` assertion, skipped without a judge); `tags` describe the case
 * (`de`, `long`, `markup`, `numbers` …) for filtering and coverage; `source` and `licence` say where the text
 * comes from and under which terms it may be kept.
 */
import { type Static, Type } from 'typebox';

/** An assertion as written in a case file: its type, the shared options and the type's own parameters. */
export const AssertionSpecSchema = Type.Object(
  {
    type: Type.String({ minLength: 1 }),
    /** Dotted path into the output (`summary`, `titles.0`); default: the task's main field. */
    path: Type.Optional(Type.String({ minLength: 1 })),
    /** Weight of this assertion's score in the case mean (default 1; 0 = informative only). */
    weight: Type.Optional(Type.Number({ minimum: 0 })),
    /** Apply to each element of an array (all must pass). */
    each: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: true },
);

/** One assertion as written. */
export type AssertionSpec = Static<typeof AssertionSpecSchema> & Readonly<Record<string, unknown>>;

const RetrievedDocSchema = Type.Object(
  { entryId: Type.String(), title: Type.String(), snippet: Type.String(), score: Type.Number() },
  { additionalProperties: false },
);

/** The schema of one case line. */
export const EvalCaseSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]*$' }),
    input: Type.Object(
      {
        title: Type.String(),
        body: Type.String(),
        tags: Type.Array(Type.String()),
        locale: Type.Optional(Type.String()),
        context: Type.Optional(Type.Array(RetrievedDocSchema)),
      },
      { additionalProperties: false },
    ),
    expectations: Type.Array(AssertionSpecSchema, { minItems: 1 }),
    rubric: Type.String({ minLength: 1 }),
    tags: Type.Array(Type.String({ minLength: 1 })),
    source: Type.String({ minLength: 1 }),
    licence: Type.String({ minLength: 1 }),
  },
  { additionalProperties: false },
);

/** One golden case. */
export type EvalCase = Static<typeof EvalCaseSchema>;
