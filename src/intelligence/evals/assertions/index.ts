/**
 * The assertion registry: every type a case file may use, by name, including `not-` negations. Adding a type is
 * one file in this folder plus one line here.
 */
import type { AssertionType } from './assertion.ts';
import { containsAssertion } from './contains.ts';
import { equalsAssertion } from './equals.ts';
import { faithfulnessAssertion } from './faithfulness.ts';
import { isJsonAssertion } from './isJson.ts';
import { javascriptAssertion } from './javascript.ts';
import { lengthAssertion } from './length.ts';
import { llmRubricAssertion } from './llmRubric.ts';
import { noPiiAssertion } from './noPii.ts';
import { piiSpansAssertion } from './piiSpans.ts';
import { rankedIdsAssertion } from './rankedIds.ts';
import { regexAssertion } from './regex.ts';
import { similarAssertion } from './similar.ts';

const ALL: readonly AssertionType[] = [
  equalsAssertion,
  containsAssertion,
  regexAssertion,
  isJsonAssertion,
  lengthAssertion,
  javascriptAssertion,
  faithfulnessAssertion,
  similarAssertion,
  noPiiAssertion,
  llmRubricAssertion,
  piiSpansAssertion,
  rankedIdsAssertion,
];

const BY_NAME: ReadonlyMap<string, AssertionType> = new Map(ALL.flatMap((a) => a.types.map((t) => [t, a] as const)));

/** Every assertion type name (without negations). */
export const ASSERTION_TYPES: readonly string[] = Object.freeze([...BY_NAME.keys()]);

/** The type module for a name (`not-` stripped) and whether it is negated; undefined for an unknown name. */
export function resolveAssertion(
  name: string,
): { readonly type: AssertionType; readonly name: string; readonly negated: boolean } | undefined {
  const negated = name.startsWith('not-');
  const base = negated ? name.slice(4) : name;
  const type = BY_NAME.get(base);
  if (type === undefined || (negated && base === 'llm-rubric')) return undefined;
  return { type, name: base, negated };
}
