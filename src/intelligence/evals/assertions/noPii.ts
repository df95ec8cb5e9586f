/**
 * `no-pii`: the text holds no personal data (piiPatterns.ts: e-mail, phone, IBAN, card). `allow` lists strings a
 * case accepts (a newsroom's published switchboard number quoted in the source, say).
 */
import { Type } from 'typebox';
import { binary, defineAssertion } from './assertion.ts';
import { detectPii } from './piiPatterns.ts';

/** The `no-pii` assertion. */
export const noPiiAssertion = defineAssertion({
  types: ['no-pii'],
  params: Type.Object({ allow: Type.Optional(Type.Array(Type.String())) }, { additionalProperties: false }),
  evaluate(_type, params, context) {
    const allowed = params.allow ?? [];
    const found = detectPii(context.text).filter((s) => !allowed.includes(s.text));
    return binary(
      found.length === 0,
      found.length === 0 ? 'no personal data' : `found ${found.map((s) => `${s.kind} "${s.text}"`).join(', ')}`,
    );
  },
});
