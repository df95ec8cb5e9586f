/**
 * `length`: the text's length in `words` (default) or `chars` lies within `min`–`max`. On an array without `each`,
 * `unit: 'items'` counts its elements. The score falls off linearly outside the bounds (half the range away
 * scores 0), so "a little too long" ranks above "far too long".
 */
import { Type } from 'typebox';
import { defineAssertion, outcome } from './assertion.ts';
import { wordCount } from './text.ts';

/** The `length` assertion. */
export const lengthAssertion = defineAssertion({
  types: ['length'],
  params: Type.Object(
    {
      unit: Type.Optional(Type.Union([Type.Literal('words'), Type.Literal('chars'), Type.Literal('items')])),
      min: Type.Optional(Type.Integer({ minimum: 0 })),
      max: Type.Optional(Type.Integer({ minimum: 0 })),
    },
    { additionalProperties: false },
  ),
  evaluate(_type, params, context) {
    const unit = params.unit ?? 'words';
    const measured =
      unit === 'items'
        ? Array.isArray(context.value)
          ? context.value.length
          : 0
        : unit === 'chars'
          ? [...context.text].length
          : wordCount(context.text);
    const min = params.min ?? 0;
    const max = params.max ?? Number.POSITIVE_INFINITY;
    const bounds = `${min}–${Number.isFinite(max) ? max : '∞'} ${unit}`;
    if (measured >= min && measured <= max) return outcome(true, 1, `${measured} ${unit} within ${bounds}`);
    const span = Math.max(1, Number.isFinite(max) ? (max - min) / 2 || max / 2 : min / 2);
    const distance = measured < min ? min - measured : measured - max;
    return outcome(false, 1 - distance / span, `${measured} ${unit} outside ${bounds}`);
  },
});
