/**
 * `seo` for galley-local-1: a meta description built from the most salient sentence, extended with the next
 * salient sentences (in source order) while it is shorter than `minChars`, and cut at a word boundary with `…`
 * when longer than `maxChars`, never ending on dangling punctuation or a function word. A text shorter than
 * `minChars` gives a description as long as the text allows (the title leads when it is not already part of it).
 * Knobs: `maxChars` (default 155, 1–160), `minChars` (default 50, 0–`maxChars`).
 */
import type { TaskInput, TaskOutput } from '../../tasks.ts';
import { withoutDateline } from './headlines.ts';
import { type Knobs, numberKnob } from './knobs.ts';
import { type RankedSentence, rankSentences } from './ranking.ts';
import { type Analysis, analyze } from './text.ts';
import { cutAtWord } from './trim.ts';

/** Length bounds of a description. */
export interface SeoOptions {
  readonly minChars: number;
  readonly maxChars: number;
}

/** A meta description of an analysed entry, between `minChars` (when the text allows) and `maxChars`. */
export function describeEntry(analysis: Analysis, options: SeoOptions): string {
  const ranked = rankSentences(analysis);
  const bySalience = [...ranked].sort((a, b) => b.score - a.score);
  // A complete sentence that fits beats a cut one that scores a little higher.
  const top = bySalience[0]?.score ?? 0;
  const first = bySalience.find((r) => r.sentence.text.length <= options.maxChars && r.score >= 0.75 * top);
  const chosen = first !== undefined ? [first] : bySalience.slice(0, 1);
  for (const next of bySalience) {
    if (chosen.includes(next)) continue;
    if (joinInOrder(chosen).length >= options.minChars) break;
    if (joinInOrder([...chosen, next]).length <= options.maxChars) chosen.push(next);
  }
  let text = joinInOrder(chosen);
  const title = analysis.title.replace(/[.:;,]$/u, '') || analysis.title;
  const short = text.length === 0 || text.length < options.minChars;
  if (short && title.length > 0 && !text.toLowerCase().includes(title.toLowerCase())) {
    text = text.length > 0 ? `${title}: ${text}` : title;
  }
  text = text.replace(/\s+/g, ' ').trim();
  if (text.length === 0) throw new Error('empty input');
  return cutAtWord(text, options.maxChars);
}

/** The sentences' text in source order (a lead's dateline dropped), joined by spaces. */
function joinInOrder(chosen: readonly RankedSentence[]): string {
  return [...chosen]
    .sort((a, b) => a.sentence.index - b.sentence.index)
    .map((c) => withoutDateline(c.sentence.text))
    .join(' ');
}

/** The SEO options a prompt version's knobs ask for. */
export function seoOptions(knobs: Knobs | undefined): SeoOptions {
  const maxChars = numberKnob(knobs, 'maxChars', 155, { min: 1, max: 160, integer: true });
  return { maxChars, minChars: numberKnob(knobs, 'minChars', Math.min(50, maxChars), { min: 0, max: maxChars }) };
}

/** The `seo` task: `{ description }` for an entry. */
export function seoTask(input: TaskInput, knobs?: Knobs): TaskOutput<'seo'> {
  return { description: describeEntry(analyze(input), seoOptions(knobs)) };
}
