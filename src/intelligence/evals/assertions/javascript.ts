/**
 * `javascript`: a scoring function written in the case file. `value` is either an expression or a function body
 * (when it contains `return`) over `output` (the whole output), `value` (the selected part), `text` and `input`.
 * It may return a boolean, a number (a score; passes at `threshold`, default 0.5) or `{ pass, score?, reason? }`.
 *
 * Case files are reviewed repository content, not user input; the code still runs in a fresh `node:vm` context
 * (no `require`, `process` or module scope) on JSON copies of its arguments, with a 250 ms time limit, so a slow
 * or careless function fails its case instead of hanging the suite.
 */
import vm from 'node:vm';
import { Type } from 'typebox';
import { type AssertionOutcome, binary, defineAssertion, outcome } from './assertion.ts';

const TIME_LIMIT_MS = 250;

function interpret(result: unknown, threshold: number): AssertionOutcome {
  if (typeof result === 'boolean') return binary(result, `returned ${result}`);
  if (typeof result === 'number')
    return outcome(result >= threshold, result, `score ${result} (threshold ${threshold})`);
  if (typeof result === 'object' && result !== null && 'pass' in result) {
    const r = result as { pass: unknown; score?: unknown; reason?: unknown };
    const pass = r.pass === true;
    const score = typeof r.score === 'number' ? r.score : pass ? 1 : 0;
    return outcome(pass, score, typeof r.reason === 'string' ? r.reason : `returned pass=${pass}`);
  }
  return binary(false, `returned ${JSON.stringify(result)}; expected a boolean, a number or { pass, score, reason }`);
}

/** The `javascript` assertion. */
export const javascriptAssertion = defineAssertion({
  types: ['javascript'],
  params: Type.Object(
    { value: Type.String({ minLength: 1 }), threshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })) },
    { additionalProperties: false },
  ),
  evaluate(_type, params, context) {
    const body = /\breturn\b/.test(params.value) ? params.value : `return (${params.value});`;
    const sandbox = {
      args: JSON.stringify({ output: context.output, value: context.value, text: context.text, input: context.input }),
    };
    const code = `(function ({ output, value, text, input }) { ${body} })(JSON.parse(args))`;
    try {
      const result: unknown = vm.runInNewContext(code, sandbox, { timeout: TIME_LIMIT_MS });
      return interpret(result, params.threshold ?? 0.5);
    } catch (error) {
      return binary(false, `threw: ${error instanceof Error ? error.message : String(error)}`);
    }
  },
});
