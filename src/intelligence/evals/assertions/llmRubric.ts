/**
 * `llm-rubric`: a judge model grades the output against a rubric in plain words. Without a judge
 * (`GALLEY_AI_JUDGE_MODEL` unset) the outcome is `skipped`: reported as such in the table, the JSON and the HTML
 * report, and left out of the case's pass/fail and score — never counted as passed. Every case's `rubric` field
 * becomes one of these.
 */
import { Type } from 'typebox';
import { binary, defineAssertion, outcome } from './assertion.ts';

/** The notice a skipped rubric carries. */
export const NO_JUDGE_NOTICE = 'skipped: no judge model configured (set GALLEY_AI_JUDGE_MODEL)';

/** The `llm-rubric` assertion. */
export const llmRubricAssertion = defineAssertion({
  types: ['llm-rubric'],
  params: Type.Object(
    { value: Type.String({ minLength: 1 }), threshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })) },
    { additionalProperties: false },
  ),
  async evaluate(_type, params, context) {
    if (context.judge === undefined)
      return Object.freeze({ pass: false, score: 0, reason: NO_JUDGE_NOTICE, skipped: true });
    try {
      const verdict = await context.judge({
        task: context.task,
        rubric: params.value,
        input: context.input,
        output: context.text,
      });
      const threshold = params.threshold ?? 0.5;
      return outcome(verdict.pass && verdict.score >= threshold, verdict.score, `judge: ${verdict.reason}`);
    } catch (error) {
      return binary(false, `judge failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  },
});
