/**
 * `tags` for galley-local-1: the entry's key phrases (keyphrases.ts), lower-case and deduplicated. Tags the entry
 * already has come first when the text mentions them (an editor's choice outranks a guess); tags it has but the
 * text never mentions are left out rather than repeated blindly. Knob: `maxTags` (default 6, 0–10).
 */
import type { TaskInput, TaskOutput } from '../../tasks.ts';
import { extractKeyPhrases } from './keyphrases.ts';
import { type Knobs, numberKnob } from './knobs.ts';
import { type Analysis, analyze } from './text.ts';
import { foldWord, lowerWord, tokenize } from './words.ts';

/** Longest tag the output schema allows. */
const MAX_TAG_LENGTH = 40;

/** Tags for an analysed entry: mentioned existing tags first, then key phrases, at most `maxTags`. */
export function suggestTags(analysis: Analysis, existing: readonly string[], maxTags: number): string[] {
  // Existing tags must appear word for word (lower-case), so every tag given back is made of the entry's words.
  const sequences = [analysis.titleTokens, ...analysis.sentences.map((s) => s.tokens)].map(
    (ts) => ` ${ts.map((t) => t.lower).join(' ')} `,
  );
  const wordsOf = (tag: string) =>
    tokenize(tag)
      .map((w) => w.lower)
      .join(' ');
  const keyOf = (tag: string) =>
    tokenize(tag)
      .map((w) => foldWord(w.lower, analysis.language))
      .join(' ');
  const tags: string[] = [];
  const keys: string[] = [];
  const add = (tag: string, key: string) => {
    if (tags.length >= maxTags || tag.length === 0 || tag.length > MAX_TAG_LENGTH) return;
    if (tags.includes(tag) || keys.some((k) => ` ${k} `.includes(` ${key} `))) return;
    tags.push(tag);
    keys.push(key);
  };
  for (const tag of existing) {
    const words = wordsOf(tag);
    if (words.length > 0 && sequences.some((seq) => seq.includes(` ${words} `))) {
      add(lowerWord(tag.trim().replace(/\s+/g, ' ')), keyOf(tag));
    }
  }
  for (const phrase of extractKeyPhrases(analysis, maxTags + 10)) add(phrase.text, phrase.key);
  return tags;
}

/** The `tags` task: `{ tags }` for an entry. */
export function tagsTask(input: TaskInput, knobs?: Knobs): TaskOutput<'tags'> {
  const maxTags = numberKnob(knobs, 'maxTags', 6, { min: 0, max: 10, integer: true });
  return { tags: suggestTags(analyze(input), input.tags, maxTags) };
}
