/**
 * `faithfulness`: a deterministic check that the output says nothing the source does not. Three tests:
 *
 * - figures: every number in the output occurs in the source (`1,200` = `1.200` = `1200`);
 * - names: every capitalized word after the first of a sentence (people, places, organisations) occurs in the
 *   source, up to inflection;
 * - claims: at least `minSupport` (default 0.8) of the output's content words occur in the source, up to
 *   inflection — an extractive summary scores 1, a paraphrase that keeps to the facts stays well above 0.8, an
 *   invented claim brings in words the source never used.
 *
 * The score is the share of supported content words, halved when a figure or name is unsupported (which also
 * fails the assertion). `allow` lists words or figures a case accepts although absent (e.g. a translated name).
 */
import { Type } from 'typebox';
import { defineAssertion, outcome } from './assertion.ts';
import { contentWords, figures, indexWords, names } from './text.ts';

/** The `faithfulness` assertion. */
export const faithfulnessAssertion = defineAssertion({
  types: ['faithfulness'],
  params: Type.Object(
    {
      minSupport: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
      allow: Type.Optional(Type.Array(Type.String())),
    },
    { additionalProperties: false },
  ),
  evaluate(_type, params, context) {
    const allowed = new Set((params.allow ?? []).map((a) => a.toLowerCase()));
    const source = indexWords(context.source);
    const sourceFigures = new Set(figures(context.source));
    const badFigures = figures(context.text).filter((f) => !sourceFigures.has(f) && !allowed.has(f));
    const badNames = names(context.text).filter((n) => !source.has(n) && !allowed.has(n.toLowerCase()));
    const claims = contentWords(context.text);
    const unsupported = claims.filter((w) => !source.has(w) && !allowed.has(w));
    const support = claims.length === 0 ? 1 : (claims.length - unsupported.length) / claims.length;
    const minSupport = params.minSupport ?? 0.8;
    const problems = [
      badFigures.length > 0 ? `figures not in source: ${[...new Set(badFigures)].join(', ')}` : '',
      badNames.length > 0 ? `names not in source: ${[...new Set(badNames)].slice(0, 5).join(', ')}` : '',
      support < minSupport
        ? `support ${support.toFixed(2)} < ${minSupport} (unsupported: ${[...new Set(unsupported)].slice(0, 5).join(', ')})`
        : '',
    ].filter((p) => p !== '');
    const penalty = badFigures.length > 0 || badNames.length > 0 ? 0.5 : 1;
    return outcome(
      problems.length === 0,
      support * penalty,
      problems.length === 0 ? `faithful (support ${support.toFixed(2)})` : problems.join('; '),
    );
  },
});
