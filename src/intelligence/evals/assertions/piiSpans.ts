/**
 * `pii-spans` (pii task): the output's `findings` recover the case's expected personal data. A finding matches
 * an expected span when its text equals it (or one contains the other, tolerating a trailing full stop) and,
 * when the case names one, the kind agrees. Passes when recall ≥ `minRecall` (default 1: every expected span is
 * found) and precision ≥ `minPrecision` (default 0.8: a football score or a year redacted by mistake costs).
 * With `checkOffsets`, each finding's `start`/`end` must select its `text` in the entry body. Score: F1.
 */
import { Type } from 'typebox';
import { defineAssertion, outcome } from './assertion.ts';

interface Finding {
  readonly kind: string;
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

function findingsOf(output: unknown): Finding[] {
  if (typeof output !== 'object' || output === null || !('findings' in output)) return [];
  const list = (output as { findings: unknown }).findings;
  if (!Array.isArray(list)) return [];
  return list.filter(
    (f): f is Finding => typeof f === 'object' && f !== null && typeof (f as { text?: unknown }).text === 'string',
  );
}

const norm = (s: string) => s.trim().replace(/[.,;:]$/u, '');

/** The `pii-spans` assertion. */
export const piiSpansAssertion = defineAssertion({
  types: ['pii-spans'],
  wholeOutput: true,
  params: Type.Object(
    {
      value: Type.Array(Type.Object({ text: Type.String({ minLength: 1 }), kind: Type.Optional(Type.String()) })),
      minRecall: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
      minPrecision: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
      checkOffsets: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
  evaluate(_type, params, context) {
    const findings = findingsOf(context.output);
    const matches = (f: Finding, e: { text: string; kind?: string }) => {
      const a = norm(f.text);
      const b = norm(e.text);
      return (
        (a === b || (a.length > 3 && b.includes(a)) || (b.length > 3 && a.includes(b))) &&
        (e.kind === undefined || e.kind === f.kind)
      );
    };
    const found = params.value.filter((e) => findings.some((f) => matches(f, e)));
    const correct = findings.filter((f) => params.value.some((e) => matches(f, e)));
    const recall = params.value.length === 0 ? 1 : found.length / params.value.length;
    const precision = findings.length === 0 ? 1 : correct.length / findings.length;
    const f1 = recall + precision === 0 ? 0 : (2 * recall * precision) / (recall + precision);
    const badOffsets = params.checkOffsets
      ? findings.filter((f) => context.input.body.slice(f.start, f.end) !== f.text)
      : [];
    const minRecall = params.minRecall ?? 1;
    const minPrecision = params.minPrecision ?? 0.8;
    const missed = params.value.filter((e) => !found.includes(e)).map((e) => e.text);
    const extra = findings.filter((f) => !correct.includes(f)).map((f) => f.text);
    const pass = recall >= minRecall && precision >= minPrecision && badOffsets.length === 0;
    const details = [
      `recall ${recall.toFixed(2)}, precision ${precision.toFixed(2)}`,
      missed.length > 0 ? `missed ${JSON.stringify(missed)}` : '',
      extra.length > 0 ? `unexpected ${JSON.stringify(extra.slice(0, 4))}` : '',
      badOffsets.length > 0 ? `${badOffsets.length} finding(s) with wrong offsets` : '',
    ].filter((d) => d !== '');
    return outcome(pass, badOffsets.length > 0 ? f1 / 2 : f1, details.join('; '));
  },
});
