/**
 * `similar`: closeness of the text to a reference written by an editor, deterministic (no embedding model needed
 * offline). `method: 'overlap'` (default) is the F1 of content-word overlap (ROUGE-1 style, words matched up to
 * inflection); `method: 'bm25'` scores the output as a BM25 document against the reference as the query, with
 * term weights from the source's sentences (a word every sentence uses weighs little), normalized by the
 * reference's score against itself. Passes at `threshold` (default 0.5). `value` may list several references;
 * the best one counts.
 */
import { Type } from 'typebox';
import { defineAssertion, outcome } from './assertion.ts';
import { contentWords, sameStem } from './text.ts';

function overlapF1(candidate: readonly string[], reference: readonly string[]): number {
  if (candidate.length === 0 || reference.length === 0) return candidate.length === reference.length ? 1 : 0;
  const remaining = [...reference];
  let matched = 0;
  for (const word of candidate) {
    const at = remaining.findIndex((r) => sameStem(word, r));
    if (at >= 0) {
      matched += 1;
      remaining.splice(at, 1);
    }
  }
  const precision = matched / candidate.length;
  const recall = matched / reference.length;
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}

const K1 = 1.2;
const B = 0.75;

function bm25(query: readonly string[], document: readonly string[], corpus: readonly (readonly string[])[]): number {
  const avg = corpus.reduce((sum, d) => sum + d.length, 0) / Math.max(1, corpus.length) || 1;
  let score = 0;
  for (const term of new Set(query)) {
    const containing = corpus.filter((d) => d.some((w) => sameStem(w, term))).length;
    const idf = Math.log(1 + (corpus.length - containing + 0.5) / (containing + 0.5));
    const tf = document.filter((w) => sameStem(w, term)).length;
    score += (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * document.length) / avg));
  }
  return score;
}

function bm25Similarity(candidate: readonly string[], reference: readonly string[], source: string): number {
  const corpus = [...source.split(/(?<=[.!?])\s+|\n+/u).map(contentWords), reference, candidate].filter(
    (d) => d.length > 0,
  );
  const self = bm25(reference, reference, corpus);
  return self === 0 ? 0 : bm25(reference, candidate, corpus) / self;
}

/** The `similar` assertion. */
export const similarAssertion = defineAssertion({
  types: ['similar'],
  params: Type.Object(
    {
      value: Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })]),
      threshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
      method: Type.Optional(Type.Union([Type.Literal('overlap'), Type.Literal('bm25')])),
    },
    { additionalProperties: false },
  ),
  evaluate(_type, params, context) {
    const references = typeof params.value === 'string' ? [params.value] : params.value;
    const candidate = contentWords(context.text);
    const method = params.method ?? 'overlap';
    const best = Math.max(
      ...references.map((r) =>
        method === 'bm25'
          ? Math.min(1, bm25Similarity(candidate, contentWords(r), context.source))
          : overlapF1(candidate, contentWords(r)),
      ),
    );
    const threshold = params.threshold ?? 0.5;
    return outcome(best >= threshold, best, `${method} similarity ${best.toFixed(2)} (threshold ${threshold})`);
  },
});
