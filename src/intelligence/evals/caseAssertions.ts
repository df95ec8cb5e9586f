/**
 * Applies a case's assertions to one output: resolves `path` (default: the task's main field), applies `each`
 * and `not-`, and turns the case `rubric` into an `llm-rubric` assertion. Also validates assertions at load time.
 */
import type { TaskInput, TaskName } from '../tasks.ts';
import type { AssertionContext, AssertionOutcome, Judge } from './assertions/assertion.ts';
import { resolveAssertion } from './assertions/index.ts';
import type { AssertionSpec, EvalCase } from './evalCase.ts';

/** The output field text assertions read unless a `path` says otherwise. */
export const MAIN_FIELD: Readonly<Record<TaskName, string>> = Object.freeze({
  summary: 'summary',
  titles: 'titles',
  tags: 'tags',
  seo: 'description',
  pii: 'redacted',
  related: 'related',
});

/** One assertion's result in a report. */
export interface AssertionResult extends AssertionOutcome {
  /** The type as written (`not-contains`). */
  readonly type: string;
  readonly path?: string;
  readonly weight: number;
}

const SHARED_KEYS = new Set(['type', 'path', 'weight', 'each']);

function paramsOf(spec: AssertionSpec): Record<string, unknown> {
  return Object.fromEntries(Object.entries(spec).filter(([key]) => !SHARED_KEYS.has(key)));
}

/** Problems with one assertion as written (unknown type, bad parameters); empty when valid. */
export function assertionProblems(spec: AssertionSpec): string[] {
  const resolved = resolveAssertion(spec.type);
  if (resolved === undefined) return [`unknown assertion type "${spec.type}"`];
  return resolved.type.validate(paramsOf(spec)).map((p) => `${spec.type}: ${p}`);
}

/** The value at a dotted path (`titles.0`); undefined when absent. */
export function valueAt(output: unknown, path: string): unknown {
  let current: unknown = output;
  for (const part of path.split('.')) {
    if (Array.isArray(current) && /^\d+$/.test(part)) current = current[Number(part)];
    else if (typeof current === 'object' && current !== null && part in current)
      current = (current as Record<string, unknown>)[part];
    else return undefined;
  }
  return current;
}

/** A value as text: strings as they are, string arrays one per line, anything else as JSON. */
export function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join('\n');
  return JSON.stringify(value);
}

/** The text an output must be faithful to: the entry's title, body and tags, and any retrieved context. */
export function sourceOf(input: TaskInput): string {
  const context = (input.context ?? []).map((d) => `${d.title}\n${d.snippet}`);
  return [input.title, input.body, input.tags.join(', '), ...context].join('\n');
}

async function evaluateOne(
  spec: AssertionSpec,
  base: Omit<AssertionContext, 'value' | 'text'>,
  task: TaskName,
): Promise<AssertionResult> {
  const resolved = resolveAssertion(spec.type);
  const weight = spec.weight ?? 1;
  const label = { type: spec.type, weight, ...(spec.path === undefined ? {} : { path: spec.path }) };
  if (resolved === undefined) return { ...label, pass: false, score: 0, reason: `unknown assertion type` };
  const path = spec.path ?? (resolved.type.wholeOutput ? undefined : MAIN_FIELD[task]);
  const value = path === undefined ? base.output : valueAt(base.output, path);
  const params = paramsOf(spec);
  let result: AssertionOutcome;
  if (spec.each === true && Array.isArray(value) && !resolved.type.wholeOutput) {
    const parts = await Promise.all(
      value.map((v) => resolved.type.evaluate(resolved.name, params, { ...base, value: v, text: textOf(v) })),
    );
    const failed = parts.filter((p) => !p.pass);
    const score = parts.length === 0 ? 0 : parts.reduce((s, p) => s + p.score, 0) / parts.length;
    result = {
      pass: parts.length > 0 && failed.length === 0,
      score,
      reason:
        parts.length === 0
          ? 'no elements'
          : failed.length === 0
            ? 'every element passes'
            : failed.map((f) => f.reason).join(' | '),
    };
  } else {
    result = await resolved.type.evaluate(resolved.name, params, { ...base, value, text: textOf(value) });
  }
  if (resolved.negated && result.skipped !== true) {
    result = { pass: !result.pass, score: 1 - result.score, reason: `not: ${result.reason}` };
  }
  return { ...label, ...result };
}

/** Evaluates every assertion of `evalCase` (plus its rubric) against `output`. */
export async function evaluateCase(
  task: TaskName,
  evalCase: EvalCase,
  output: unknown,
  judge: Judge | undefined,
): Promise<AssertionResult[]> {
  const input = evalCase.input as TaskInput;
  const base = { task, input, output, source: sourceOf(input), ...(judge === undefined ? {} : { judge }) };
  const specs: AssertionSpec[] = [...evalCase.expectations, { type: 'llm-rubric', value: evalCase.rubric }];
  const results: AssertionResult[] = [];
  for (const spec of specs) results.push(await evaluateOne(spec, base, task));
  return results;
}
