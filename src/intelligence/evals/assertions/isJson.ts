/**
 * `is-json`: the output is JSON (the gateway hands over parsed output, so a string is parsed first) and, when
 * `value` holds a JSON Schema, it validates against it (TypeBox's JSON Schema checker). Reads the whole output
 * unless `path` is given.
 */
import { Type } from 'typebox';
import { Value } from 'typebox/value';
import { binary, defineAssertion } from './assertion.ts';

function parsed(value: unknown): { ok: true; value: unknown } | { ok: false; error: string } {
  if (typeof value !== 'string') return { ok: true, value };
  try {
    return { ok: true, value: JSON.parse(value) as unknown };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** The `is-json` assertion. */
export const isJsonAssertion = defineAssertion({
  types: ['is-json'],
  wholeOutput: true,
  params: Type.Object(
    { value: Type.Optional(Type.Record(Type.String(), Type.Unknown())) },
    { additionalProperties: false },
  ),
  evaluate(_type, params, context) {
    if (context.value === undefined) return binary(false, 'no output');
    const json = parsed(context.value);
    if (!json.ok) return binary(false, `not JSON: ${json.error}`);
    if (params.value === undefined) return binary(true, 'valid JSON');
    const schema = params.value as Parameters<typeof Value.Check>[0];
    const errors = [...Value.Errors(schema, json.value)].slice(0, 3);
    if (errors.length === 0) return binary(true, 'valid JSON matching the schema');
    return binary(false, errors.map((e) => `${e.instancePath || '/'} ${e.message}`).join('; '));
  },
});
