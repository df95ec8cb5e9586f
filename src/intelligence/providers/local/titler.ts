/**
 * `titles` for galley-local-1: up to five distinct headline candidates, all extracted: the lead sentence cut to a
 * headline, a key phrase heading the most salient sentence, the most salient sentence itself, a headline of key
 * phrases, and (English) a title-case variant of the lead. Every word comes from the entry, so no candidate holds
 * a fact or number the entry does not. Knobs: `maxTitles` (default 5, 1–5), `maxChars` (default 100, 10–140).
 */
import type { TaskInput, TaskOutput } from '../../tasks.ts';
import { capitalize, headlineOf, titleCase } from './headlines.ts';
import { extractKeyPhrases, type KeyPhrase } from './keyphrases.ts';
import { type Knobs, numberKnob } from './knobs.ts';
import { rankSentences } from './ranking.ts';
import type { Language } from './stopwords.ts';
import { type Analysis, analyze } from './text.ts';
import { cutAtWord } from './trim.ts';

/** How many titles, how long. */
export interface TitleOptions {
  readonly maxTitles: number;
  readonly maxChars: number;
}

const AND: Readonly<Record<Language, string>> = Object.freeze({
  en: 'and',
  de: 'und',
  fr: 'et',
  es: 'y',
  it: 'e',
  nl: 'en',
  pt: 'e',
});

/** Headline candidates for an analysed entry, best first, never the entry's own title unless nothing else. */
export function suggestTitles(analysis: Analysis, options: TitleOptions): string[] {
  const clip = (c: string) => cutAtWord(c.replace(/\s+/g, ' ').trim(), options.maxChars, { ellipsis: false });
  const titles = distinct(candidates(analysis, options), analysis.title, options.maxTitles, clip);
  if (titles.length > 0) return titles;
  const fallback = analysis.title.length > 0 ? analysis.title : (analysis.sentences[0]?.text ?? '');
  if (fallback.length === 0) throw new Error('empty input');
  return [cutAtWord(fallback, options.maxChars, { ellipsis: false })];
}

/** The candidates in order of preference, made lazily (most entries need only the first few). */
function* candidates(analysis: Analysis, options: TitleOptions): Generator<string> {
  const { language } = analysis;
  const headline = (text: string) => headlineOf(text, options.maxChars);
  const ranked = rankSentences(analysis).filter((r) => r.sentence.tokens.length > 0);
  const bySalience = [...ranked].sort((a, b) => b.score - a.score);
  const lead = ranked[0] ? headline(ranked[0].sentence.text) : '';
  const best = bySalience[0] ? headline(bySalience[0].sentence.text) : '';
  const phrases = extractKeyPhrases(analysis, 6);
  const cased = (text: string) => (language === 'en' ? titleCase(text) : capitalize(text));
  yield lead;
  const keyedSource = best !== lead ? bySalience[0] : bySalience[1];
  yield keyedHeadline(phrases, keyedSource?.sentence.text ?? '', options.maxChars, cased);
  yield best;
  yield phraseHeadline(phrases, AND[language], cased);
  if (language === 'en') yield titleCase(lead);
  for (const r of bySalience.slice(1)) yield headline(r.sentence.text);
  for (const s of analysis.sentences) if (s.kind === 'heading') yield headline(s.text);
}

/** `Key Phrase: sentence headline` within `maxChars`, when the sentence does not already name the phrase. */
function keyedHeadline(
  phrases: readonly KeyPhrase[],
  sentence: string,
  maxChars: number,
  cased: (t: string) => string,
): string {
  const phrase = phrases.find((p) => p.size > 1) ?? phrases[0];
  if (phrase === undefined || sentence.length === 0) return '';
  if (sentence.toLowerCase().includes(phrase.text)) return '';
  const prefix = `${cased(phrase.surface)}: `;
  if (maxChars - prefix.length < 20) return '';
  return `${prefix}${headlineOf(sentence, maxChars - prefix.length)}`;
}

/** `A: B and C` from the top recurring key phrases, when one of them has several words. */
function phraseHeadline(phrases: readonly KeyPhrase[], and: string, cased: (t: string) => string): string {
  const recurring = phrases.filter((p) => p.count > 1).slice(0, 3);
  const [a, b, c] = recurring.map((p) => p.surface);
  if (a === undefined || b === undefined || !recurring.some((p) => p.size > 1)) return '';
  return cased(c === undefined ? `${a}: ${b}` : `${a}: ${b} ${and} ${c}`);
}

/**
 * Up to `limit` non-empty candidates after `clip`, first occurrence wins, compared case-insensitively, without
 * `current`.
 */
function distinct(candidates: Iterable<string>, current: string, limit: number, clip: (c: string) => string): string[] {
  const seen = new Set<string>([current.trim().toLowerCase()]);
  const out: string[] = [];
  for (const c of candidates) {
    if (out.length >= limit) break;
    if (c.trim().length === 0) continue;
    const text = clip(c).trim();
    const key = text.toLowerCase();
    if (text.length === 0 || seen.has(key)) continue;
    seen.add(key);
    out.push(text);
  }
  return out;
}

/** The title options a prompt version's knobs ask for. */
export function titleOptions(knobs: Knobs | undefined): TitleOptions {
  return {
    maxTitles: numberKnob(knobs, 'maxTitles', 5, { min: 1, max: 5, integer: true }),
    maxChars: numberKnob(knobs, 'maxChars', 100, { min: 10, max: 140, integer: true }),
  };
}

/** The `titles` task: `{ titles }` for an entry. */
export function titlesTask(input: TaskInput, knobs?: Knobs): TaskOutput<'titles'> {
  return { titles: suggestTitles(analyze(input), titleOptions(knobs)) };
}
