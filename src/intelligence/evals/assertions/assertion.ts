/**
 * What an assertion type is. Assertion names follow promptfoo's vocabulary (`equals`, `contains-any`, `regex`,
 * `is-json`, `javascript`, `similar`, `llm-rubric` …) so suites can be ported; any type may be negated with the
 * `not-` prefix (`not-contains`), which inverts pass and score.
 *
 * Every assertion in a case file is an object `{ type, path?, weight?, each?, …params }`. `path` picks a part of
 * the task's output (`summary`, `titles`, `titles.0`, `findings`), defaulting to the task's main field; `each`
 * applies a text assertion to every element of an array (all must pass; the score is the mean); `weight` weights
 * the score in the case's mean (default 1). The type's own parameters are validated when the case file is loaded,
 * so a typo fails the load with the case id, not the run.
 */
import type { Static, TSchema } from 'typebox';
import { Value } from 'typebox/value';
import type { TaskInput, TaskName } from '../../tasks.ts';

/** What one assertion concluded. */
export interface AssertionOutcome {
  readonly pass: boolean;
  /** 0–1. */
  readonly score: number;
  /** Why, in one line (what was missing, the measured figure and its threshold). */
  readonly reason: string;
  /** True when the assertion could not be evaluated (llm-rubric without a judge); it then counts neither way. */
  readonly skipped?: boolean;
}

/** A judge model's verdict on a rubric. */
export interface JudgeVerdict {
  readonly pass: boolean;
  readonly score: number;
  readonly reason: string;
}

/** Grades an output against a rubric with a judge model. */
export type Judge = (request: {
  readonly task: TaskName;
  readonly rubric: string;
  readonly input: TaskInput;
  readonly output: string;
}) => Promise<JudgeVerdict>;

/** What an assertion sees. */
export interface AssertionContext {
  readonly task: TaskName;
  readonly input: TaskInput;
  /** The whole parsed output. */
  readonly output: unknown;
  /** The part `path` selected (the task's main field by default). */
  readonly value: unknown;
  /** `value` as text: strings as they are, arrays of strings one per line, anything else as JSON. */
  readonly text: string;
  /** The source the output must be faithful to: title, body, tags and context. */
  readonly source: string;
  /** The judge, when one is configured. */
  readonly judge?: Judge;
}

/** An assertion type with its parameter schema, erased for the registry. */
export interface AssertionType {
  /** The type names this module answers (`contains`, `contains-any` …). */
  readonly types: readonly string[];
  /** True when the type reads the whole output rather than one text (ignores `each`). */
  readonly wholeOutput: boolean;
  /** Problems with the parameters (empty when valid). */
  validate(params: unknown): string[];
  evaluate(type: string, params: unknown, context: AssertionContext): Promise<AssertionOutcome>;
}

/** Defines an assertion type whose parameters follow `schema`. */
export function defineAssertion<S extends TSchema>(definition: {
  readonly types: readonly string[];
  readonly params: S;
  readonly wholeOutput?: boolean;
  evaluate(type: string, params: Static<S>, context: AssertionContext): AssertionOutcome | Promise<AssertionOutcome>;
}): AssertionType {
  return Object.freeze({
    types: Object.freeze([...definition.types]),
    wholeOutput: definition.wholeOutput ?? false,
    validate(params: unknown): string[] {
      return [...Value.Errors(definition.params, params)].map(
        (e) => `${e.instancePath === '' ? '(assertion)' : e.instancePath} ${e.message}`,
      );
    },
    async evaluate(type: string, params: unknown, context: AssertionContext): Promise<AssertionOutcome> {
      if (!Value.Check(definition.params, params)) throw new Error(`invalid parameters for ${type}`);
      return definition.evaluate(type, params, context);
    },
  });
}

/** An outcome with the score clamped to 0–1 and rounded to 4 places. */
export function outcome(pass: boolean, score: number, reason: string): AssertionOutcome {
  const clamped = Number.isFinite(score) ? Math.min(1, Math.max(0, score)) : 0;
  return Object.freeze({ pass, score: Math.round(clamped * 10_000) / 10_000, reason });
}

/** A pass/fail outcome scoring 1 or 0. */
export function binary(pass: boolean, reason: string): AssertionOutcome {
  return outcome(pass, pass ? 1 : 0, reason);
}
