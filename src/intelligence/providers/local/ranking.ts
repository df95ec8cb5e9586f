/**
 * Sentence salience for the extractive tasks (summary, SEO description, titles). A sentence scores by the cosine
 * of its TF-IDF vector with the document centroid (the 20 heaviest terms of the whole text, headings included:
 * what the text is about, without rewarding a long sentence for rare words), by a news-style position prior (the
 * lead carries the story) and by overlap with the title, damped for fragments, run-ons, questions, quotes, list
 * items, list introductions and sentences that open with a pronoun (they lean on the sentence before). Headings
 * and table rows are never candidates unless nothing else is.
 */
import type { Analysis, Sentence } from './text.ts';

/** A sparse term vector. */
export type TermVector = ReadonlyMap<string, number>;

/** A candidate sentence with its score and vector. */
export interface RankedSentence {
  readonly sentence: Sentence;
  readonly score: number;
  readonly vector: TermVector;
}

/** Weights of the score's parts (they sum to 1 before damping). */
const WEIGHTS = Object.freeze({ centroid: 0.45, position: 0.3, title: 0.25 });

/** Terms kept in the centroid. */
const CENTROID_TERMS = 20;

/** Candidate sentences in source order, each with its score. */
export function rankSentences(analysis: Analysis): RankedSentence[] {
  const candidates = pickCandidates(analysis.sentences);
  const idf = inverseFrequencies(analysis.sentences.map((s) => s.contentKeys));
  const all = analysis.sentences.map((s) => weigh(s.contentKeys, idf));
  const centroid = topTerms(sumVectors(all), CENTROID_TERMS);
  const vectors = candidates.map((s) => all[s.index] ?? weigh(s.contentKeys, idf));
  const titleKeys = new Set(analysis.titleKeys);
  return candidates.map((sentence, i) => {
    const vector = vectors[i] ?? new Map<string, number>();
    const terms = sentence.contentKeys;
    const overlap = titleKeys.size === 0 ? 0 : new Set(terms.filter((t) => titleKeys.has(t))).size / titleKeys.size;
    const base =
      WEIGHTS.centroid * cosine(vector, centroid) +
      WEIGHTS.position / (1 + 0.5 * i) +
      WEIGHTS.title * Math.min(1, overlap);
    return { sentence, score: base * damping(sentence, terms.length), vector };
  });
}

/** The `n` heaviest terms of `vector` (ties by term, so the choice is deterministic). */
function topTerms(vector: ReadonlyMap<string, number>, n: number): Map<string, number> {
  const sorted = [...vector].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return new Map(sorted.slice(0, n));
}

/** Paragraph-like sentences with some content; failing that, any sentence with a word; failing that, all. */
function pickCandidates(sentences: readonly Sentence[]): Sentence[] {
  const words = (s: Sentence) => s.contentKeys.length;
  const prose = sentences.filter((s) => s.kind !== 'heading' && s.kind !== 'table' && words(s) >= 3);
  if (prose.length > 0) return prose;
  const any = sentences.filter((s) => words(s) > 0);
  return any.length > 0 ? any : [...sentences];
}

/** Opening words that point back to an earlier sentence, in Galley's languages. */
const ANAPHORA =
  /^(?:it|this|that|these|those|they|he|she|such|es|dies|diese|dieser|er|sie|il|elle|ils|elles|cela|ceci|él|ella|ellos|esto|eso|esta|este|lui|lei|esso|essa|questo|questa|hij|zij|dit|dat|ele|ela|isso|isto)\s/iu;

/** Multiplier for sentences that make weak extracts. */
function damping(sentence: Sentence, contentWords: number): number {
  let factor = 1;
  if (contentWords < 5) factor *= 0.7;
  if (sentence.tokens.length > 45) factor *= 0.8;
  if (sentence.kind === 'quote') factor *= 0.85;
  if (sentence.kind === 'item') factor *= 0.8;
  if (/[?？¿]["'”’»)\]]*$/u.test(sentence.text)) factor *= 0.75;
  if (/:["'”’»)\]]*$/u.test(sentence.text)) factor *= 0.8;
  if (ANAPHORA.test(sentence.text)) factor *= 0.8;
  return factor;
}

/** Smoothed inverse document frequency of every term over `documents`. */
export function inverseFrequencies(documents: readonly (readonly string[])[]): ReadonlyMap<string, number> {
  const df = new Map<string, number>();
  for (const terms of documents) for (const term of new Set(terms)) df.set(term, (df.get(term) ?? 0) + 1);
  const n = documents.length;
  const idf = new Map<string, number>();
  for (const [term, count] of df) idf.set(term, Math.log(1 + n / count));
  return idf;
}

/** TF-IDF vector of `terms` (sublinear term frequency). */
export function weigh(terms: readonly string[], idf: ReadonlyMap<string, number>): Map<string, number> {
  const tf = new Map<string, number>();
  for (const term of terms) tf.set(term, (tf.get(term) ?? 0) + 1);
  const vector = new Map<string, number>();
  for (const [term, count] of tf) vector.set(term, (1 + Math.log(count)) * (idf.get(term) ?? 1));
  return vector;
}

function sumVectors(vectors: readonly TermVector[]): Map<string, number> {
  const sum = new Map<string, number>();
  for (const v of vectors) for (const [term, w] of v) sum.set(term, (sum.get(term) ?? 0) + w);
  return sum;
}

/** Cosine similarity of two sparse vectors (0 when either is empty). */
export function cosine(a: TermVector, b: TermVector): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [term, w] of small) dot += w * (large.get(term) ?? 0);
  if (dot === 0) return 0;
  return dot / (norm(a) * norm(b));
}

function norm(v: TermVector): number {
  let sum = 0;
  for (const w of v.values()) sum += w * w;
  return Math.sqrt(sum);
}
