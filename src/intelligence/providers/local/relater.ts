/**
 * `related` for galley-local-1: the retrieved entries (`input.context`) ranked by the similarity (`similarity`:
 * cosine and containment) of TF-IDF vectors of this entry (title twice, plus body) and of each candidate (title
 * twice, plus snippet). IDF is computed over this entry and the candidates, so words every candidate shares count
 * little. Candidates under `minScore` are dropped; scores are rounded to three decimals; ties go to the smaller
 * entry id, so the order is deterministic. Knobs: `maxRelated` (default 5, 0–10), `minScore` (default 0.05, 0–1).
 */
import type { RetrievedDoc, TaskInput, TaskOutput } from '../../tasks.ts';
import { type Knobs, numberKnob } from './knobs.ts';
import { cosine, inverseFrequencies, type TermVector, weigh } from './ranking.ts';
import { type Analysis, analyze } from './text.ts';

/** How many related entries, how similar at least. */
export interface RelatedOptions {
  readonly maxRelated: number;
  readonly minScore: number;
}

/** One related entry. */
export type RelatedEntry = TaskOutput<'related'>['related'][number];

/** Ranks `context` by similarity to the analysed entry. */
export function relate(analysis: Analysis, context: readonly RetrievedDoc[], options: RelatedOptions): RelatedEntry[] {
  const docs = dedupe(context);
  if (docs.length === 0 || options.maxRelated === 0) return [];
  const terms = (a: Analysis) => [...a.titleKeys, ...a.titleKeys, ...a.sentences.flatMap((s) => s.contentKeys)];
  const query = terms(analysis);
  const docTerms = docs.map((d) => terms(analyze({ title: d.title, body: d.snippet, locale: analysis.language })));
  const idf = inverseFrequencies([query, ...docTerms]);
  const queryVector = weigh(query, idf);
  return docs
    .map((d, i) => ({
      entryId: d.entryId,
      title: d.title,
      score: Math.round(similarity(queryVector, weigh(docTerms[i] ?? [], idf)) * 1000) / 1000,
    }))
    .filter((r) => r.score > 0 && r.score >= options.minScore)
    .sort((a, b) => b.score - a.score || (a.entryId < b.entryId ? -1 : a.entryId > b.entryId ? 1 : 0))
    .slice(0, options.maxRelated);
}

/**
 * Half cosine (symmetric: do both texts weigh the same words alike?) and half containment (which share of the
 * candidate's weight lies on words of the entry?). Cosine alone stays small between a long entry and a short
 * snippet however related they are; containment alone would let a three-word snippet score 1. Range 0–1.
 */
export function similarity(entry: TermVector, candidate: TermVector): number {
  let covered = 0;
  let total = 0;
  for (const [term, weight] of candidate) {
    total += weight;
    if (entry.has(term)) covered += weight;
  }
  const containment = total === 0 ? 0 : covered / total;
  return 0.5 * cosine(entry, candidate) + 0.5 * containment;
}

/** The first occurrence of every entry id. */
function dedupe(context: readonly RetrievedDoc[]): RetrievedDoc[] {
  const seen = new Set<string>();
  return context.filter((d) => !seen.has(d.entryId) && seen.add(d.entryId) !== undefined);
}

/** The related options a prompt version's knobs ask for. */
export function relatedOptions(knobs: Knobs | undefined): RelatedOptions {
  return {
    maxRelated: numberKnob(knobs, 'maxRelated', 5, { min: 0, max: 10, integer: true }),
    minScore: numberKnob(knobs, 'minScore', 0.05, { min: 0, max: 1 }),
  };
}

/** The `related` task: `{ related }` for an entry and its retrieved context. */
export function relatedTask(input: TaskInput, knobs?: Knobs): TaskOutput<'related'> {
  return { related: relate(analyze(input), input.context ?? [], relatedOptions(knobs)) };
}
