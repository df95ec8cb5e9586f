/** `equals`: the selected value equals `value` (strings compared exactly; objects and arrays structurally). */
import { Type } from 'typebox';
import { Value } from 'typebox/value';
import { binary, defineAssertion } from './assertion.ts';

/** The `equals` assertion. */
export const equalsAssertion = defineAssertion({
  types: ['equals'],
  params: Type.Object({ value: Type.Unknown() }, { additionalProperties: false }),
  evaluate(_type, params, context) {
    const actual = typeof params.value === 'string' ? context.text : context.value;
    const pass = Value.Equal(actual, params.value);
    return binary(pass, pass ? 'equal' : `expected ${JSON.stringify(params.value)}, got ${JSON.stringify(actual)}`);
  },
});
