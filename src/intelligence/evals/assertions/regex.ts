/** `regex`: the text matches a pattern (Unicode mode; `flags` adds e.g. `i` or `m`). */
import { Type } from 'typebox';
import { binary, defineAssertion } from './assertion.ts';

/** The `regex` assertion. */
export const regexAssertion = defineAssertion({
  types: ['regex'],
  params: Type.Object(
    { value: Type.String({ minLength: 1 }), flags: Type.Optional(Type.String({ pattern: '^[imsu]*$' })) },
    { additionalProperties: false },
  ),
  evaluate(_type, params, context) {
    const flags = params.flags ?? '';
    const pattern = new RegExp(params.value, flags.includes('u') ? flags : `${flags}u`);
    const pass = pattern.test(context.text);
    return binary(pass, pass ? `matches /${params.value}/` : `does not match /${params.value}/`);
  },
});
