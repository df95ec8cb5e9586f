/**
 * `summary` for galley-local-1: an extractive summary. Sentences are ranked (ranking.ts) and picked greedily with
 * a redundancy penalty (maximal marginal relevance), then shown in source order, so every sentence of a summary
 * is a sentence of the entry. Knobs (`params.local`): `sentences` (default 2, or 3 for texts of more than eight
 * sentences; 0 = title only), `minChars` (default 0: more sentences are added while the summary is shorter, within
 * `maxChars`), `maxChars` (default 600, at most 1200), `strategy` (`rank`, or `lead` for the first sentences).
 */
import type { TaskInput, TaskOutput } from '../../tasks.ts';
import { withoutDateline } from './headlines.ts';
import { choiceKnob, type Knobs, numberKnob } from './knobs.ts';
import { cosine, type RankedSentence, rankSentences } from './ranking.ts';
import { type Analysis, analyze } from './text.ts';
import { cutAtWord } from './trim.ts';

/** How to summarize. */
export interface SummaryOptions {
  /** Sentences to keep; undefined = by length (2, or 3 beyond eight sentences); 0 = the title only. */
  readonly sentences?: number;
  /** Upper bound of the summary's length in characters (1–1200). */
  readonly maxChars: number;
  /** Sentences beyond `sentences` are added while the summary is shorter than this (and they fit `maxChars`). */
  readonly minChars?: number;
  /** `rank` (salience) or `lead` (the first sentences). */
  readonly strategy: 'rank' | 'lead';
}

/** A summary and the sentences it was made of. */
export interface Summary {
  readonly summary: string;
  /** The chosen sentences in source order (the last one cut, with `…`, when it alone exceeded `maxChars`). */
  readonly sentences: readonly string[];
}

/** How much a sentence's similarity to one already chosen lowers its claim. */
const REDUNDANCY = 0.3;

/** Summarizes an analysed entry. Throws when there is no text at all. */
export function summarize(analysis: Analysis, options: SummaryOptions): Summary {
  const ranked = rankSentences(analysis);
  const want = options.sentences ?? (ranked.length > 8 ? 3 : 2);
  if (ranked.length === 0 || want === 0) return titleOnly(analysis, options.maxChars);
  const fits = (chosen: readonly RankedSentence[]) => joined(chosen).length <= options.maxChars;
  if (ranked.length <= want && fits(ranked)) return toSummary(ranked);
  const chosen: RankedSentence[] = [];
  const pool = options.strategy === 'lead' ? [...ranked] : [...ranked].sort((a, b) => b.score - a.score);
  const short = () => joined(chosen).length < (options.minChars ?? 0);
  while ((chosen.length < want || short()) && pool.length > 0) {
    const best = options.strategy === 'lead' ? 0 : bestByRelevance(pool, chosen);
    const [next] = pool.splice(best, 1);
    if (next === undefined) break;
    if (fits([...chosen, next])) chosen.push(next);
    else if (chosen.length === 0) {
      const cut = cutAtWord(withoutDateline(next.sentence.text), options.maxChars);
      return { summary: cut, sentences: [cut] };
    }
  }
  return toSummary(chosen.sort((a, b) => a.sentence.index - b.sentence.index));
}

/** Index in `pool` of the sentence with the best score after the redundancy penalty (ties: earlier in `pool`). */
function bestByRelevance(pool: readonly RankedSentence[], chosen: readonly RankedSentence[]): number {
  let best = 0;
  let bestValue = Number.NEGATIVE_INFINITY;
  pool.forEach((candidate, i) => {
    const overlap = chosen.reduce((max, c) => Math.max(max, cosine(candidate.vector, c.vector)), 0);
    const value = candidate.score - REDUNDANCY * overlap;
    if (value > bestValue) {
      best = i;
      bestValue = value;
    }
  });
  return best;
}

/** The sentences' text (a lead's dateline dropped), joined by spaces. */
function joined(chosen: readonly RankedSentence[]): string {
  return texts(chosen).join(' ');
}

function texts(chosen: readonly RankedSentence[]): string[] {
  return chosen.map((c) => withoutDateline(c.sentence.text));
}

function toSummary(chosen: readonly RankedSentence[]): Summary {
  return { summary: joined(chosen), sentences: texts(chosen) };
}

function titleOnly(analysis: Analysis, maxChars: number): Summary {
  const text = analysis.title.length > 0 ? analysis.title : (analysis.sentences[0]?.text ?? '');
  if (text.length === 0) throw new Error('empty input');
  const summary = cutAtWord(text, maxChars);
  return { summary, sentences: [summary] };
}

/** The summary options a prompt version's knobs ask for. */
export function summaryOptions(knobs: Knobs | undefined): SummaryOptions {
  const auto = knobs?.sentences === undefined;
  return {
    ...(auto ? {} : { sentences: numberKnob(knobs, 'sentences', 2, { min: 0, max: 10, integer: true }) }),
    maxChars: numberKnob(knobs, 'maxChars', 600, { min: 1, max: 1200, integer: true }),
    minChars: numberKnob(knobs, 'minChars', 0, { min: 0, max: 1200, integer: true }),
    strategy: choiceKnob(knobs, 'strategy', ['rank', 'lead'], 'rank'),
  };
}

/** The `summary` task: `{ summary }` for an entry. */
export function summaryTask(input: TaskInput, knobs?: Knobs): TaskOutput<'summary'> {
  return { summary: summarize(analyze(input), summaryOptions(knobs)).summary };
}
