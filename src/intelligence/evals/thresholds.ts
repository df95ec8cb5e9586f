/**
 * Quality gates per task, from `evals/thresholds.yaml`:
 *
 *   defaults: { minPassRate, minMeanScore, maxP95LatencyMs, maxTokensPerCase, maxCostPerCaseUsd }
 *   tasks: { <task>: { …any of the same keys, overriding the defaults } }
 *
 * Every key is optional; a missing one is not gated. Unknown keys or tasks fail the load (a typo must not
 * silently switch a gate off).
 */
import { readFileSync } from 'node:fs';
import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';
import { parse } from 'yaml';
import { TASK_NAMES, type TaskName } from '../tasks.ts';
import { EvalFixtureError } from './caseLoader.ts';

const GateSchema = Type.Object(
  {
    minPassRate: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    minMeanScore: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    maxP95LatencyMs: Type.Optional(Type.Number({ minimum: 0 })),
    maxTokensPerCase: Type.Optional(Type.Number({ minimum: 0 })),
    maxCostPerCaseUsd: Type.Optional(Type.Number({ minimum: 0 })),
  },
  { additionalProperties: false },
);

/** One task's gate. */
export type TaskThresholds = Static<typeof GateSchema>;

const FileSchema = Type.Object(
  {
    defaults: Type.Optional(GateSchema),
    tasks: Type.Optional(
      Type.Object(Object.fromEntries(TASK_NAMES.map((t) => [t, Type.Optional(GateSchema)])), {
        additionalProperties: false,
      }),
    ),
  },
  { additionalProperties: false },
);

/** Thresholds by task (defaults merged in). */
export type Thresholds = Readonly<Record<TaskName, TaskThresholds>>;

/** Parses thresholds YAML text. */
export function parseThresholds(text: string, file = 'thresholds.yaml'): Thresholds {
  const raw: unknown = parse(text) ?? {};
  const errors = [...Value.Errors(FileSchema, raw)].slice(0, 3);
  if (errors.length > 0) {
    throw new EvalFixtureError(`${file}: ${errors.map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ')}`);
  }
  const parsed = raw as Static<typeof FileSchema>;
  const tasks = (parsed.tasks ?? {}) as Partial<Record<TaskName, TaskThresholds>>;
  return Object.freeze(
    Object.fromEntries(TASK_NAMES.map((t) => [t, Object.freeze({ ...parsed.defaults, ...tasks[t] })])) as Record<
      TaskName,
      TaskThresholds
    >,
  );
}

/** Reads and parses a thresholds file. */
export function loadThresholds(file: string): Thresholds {
  return parseThresholds(readFileSync(file, 'utf8'), file);
}
