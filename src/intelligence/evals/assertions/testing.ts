/** FOR TESTS. Evaluates one assertion spec against an output, the way the suite runner does. */
import type { TaskInput, TaskName } from '../../tasks.ts';
import { type AssertionResult, assertionProblems, evaluateCase } from '../caseAssertions.ts';
import type { AssertionSpec, EvalCase } from '../evalCase.ts';
import type { Judge } from './assertion.ts';

/** An entry for assertion tests. */
export const SAMPLE_INPUT: TaskInput = Object.freeze({
  title: 'Riverton council approves £48m budget',
  body: 'Riverton City Council approved a £48 million budget on Tuesday. The budget passed by 27 votes to 19. Council leader Amira Okafor called it "the least painful option".',
  tags: ['riverton'],
  locale: 'en',
});

/** The result of `spec` on `output` (for `task`, default summary); throws when the spec is invalid. */
export async function check(
  spec: AssertionSpec,
  output: unknown,
  options: { task?: TaskName; input?: TaskInput; judge?: Judge } = {},
): Promise<AssertionResult> {
  const problems = assertionProblems(spec);
  if (problems.length > 0) throw new Error(problems.join('; '));
  const { context, ...input } = options.input ?? SAMPLE_INPUT;
  const evalCase: EvalCase = {
    id: 'test',
    input: {
      ...input,
      tags: [...input.tags],
      ...(context === undefined ? {} : { context: context.map((d) => ({ ...d })) }),
    },
    expectations: [spec],
    rubric: 'unused',
    tags: [],
    source: 'test',
    licence: 'CC0-1.0',
  };
  const [result] = await evaluateCase(options.task ?? 'summary', evalCase, output, options.judge);
  if (result === undefined) throw new Error('no result');
  return result;
}
