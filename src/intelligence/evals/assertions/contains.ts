/**
 * `contains`, `contains-any`, `contains-all` and their case-insensitive `icontains*` twins. `contains` takes one
 * string; the others a list. The score of `contains-all` is the share of strings found, so a summary that keeps
 * three of four key terms scores 0.75 (and fails).
 */
import { Type } from 'typebox';
import { binary, defineAssertion, outcome } from './assertion.ts';

/** The contains family. */
export const containsAssertion = defineAssertion({
  types: ['contains', 'icontains', 'contains-any', 'icontains-any', 'contains-all', 'icontains-all'],
  params: Type.Object(
    { value: Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })]) },
    { additionalProperties: false },
  ),
  evaluate(type, params, context) {
    const insensitive = type.startsWith('i');
    const haystack = insensitive ? context.text.toLowerCase() : context.text;
    const needles = typeof params.value === 'string' ? [params.value] : params.value;
    const found = needles.filter((n) => haystack.includes(insensitive ? n.toLowerCase() : n));
    const missing = needles.filter((n) => !found.includes(n));
    if (type.endsWith('-any')) {
      return binary(found.length > 0, found.length > 0 ? `found "${found[0]}"` : `none of ${JSON.stringify(needles)}`);
    }
    const share = found.length / needles.length;
    return outcome(
      missing.length === 0,
      share,
      missing.length === 0 ? 'all found' : `missing ${JSON.stringify(missing)}`,
    );
  },
});
