/**
 * The local model's reading of an entry: markdown turned into plain text, split into sentences, tokenized, with
 * its language guessed and stopwords marked. Every task works from this one `Analysis`, so they all agree on
 * what the text says. Offsets of sentences refer to `Analysis.plain`; the plain text is the body's blocks
 * (markdown.ts) joined by blank lines, with a short list joined to the paragraph that introduces it.
 */
import { type Block, type BlockKind, inlineToText, markdownToBlocks } from './markdown.ts';
import { splitSentences } from './sentences.ts';
import { guessLanguage, type Language, stopwordsFor } from './stopwords.ts';
import { safeSlice } from './trim.ts';
import { foldWord, hasLetter, isCapitalized, tokenize, type Word } from './words.ts';

/** A word with what the tasks need to know about it. */
export interface Token extends Word {
  /** Inflection-folded lower-case form used to count and match. */
  readonly key: string;
  /** A stopword of the text's language (or English). */
  readonly stop: boolean;
  /** Holds at least one letter (so not a number, year or amount). */
  readonly alpha: boolean;
  /** Capitalized although not the first word of its sentence: a name, or a noun in German. */
  readonly midCapital: boolean;
}

/** One sentence of the plain text. */
export interface Sentence {
  readonly text: string;
  /** Offsets in `Analysis.plain`. */
  readonly start: number;
  readonly end: number;
  /** Position among all sentences (0-based). */
  readonly index: number;
  /** Index of the block the sentence belongs to. */
  readonly block: number;
  /** Kind of that block. */
  readonly kind: BlockKind;
  readonly tokens: readonly Token[];
  /** Keys of the content tokens (see `isContent`), in order. */
  readonly contentKeys: readonly string[];
}

/** The analysed entry. */
export interface Analysis {
  /** The title as plain text (inline markdown removed); the body's source when neither has readable text. */
  readonly title: string;
  readonly titleTokens: readonly Token[];
  /** Keys of the title's content tokens. */
  readonly titleKeys: readonly string[];
  /** The body as plain text. */
  readonly plain: string;
  readonly sentences: readonly Sentence[];
  /** The language guessed from stopwords (or given by the locale); decides stopwords and inflection folding. */
  readonly language: Language;
}

/** What `analyze` reads. */
export interface AnalysisInput {
  readonly title: string;
  /** Markdown. */
  readonly body: string;
  /** BCP 47 tag when known. */
  readonly locale?: string;
}

/** Reads an entry once for all tasks. */
export function analyze(input: AnalysisInput): Analysis {
  const blocks = joinListIntroductions(markdownToBlocks(input.body));
  // Markup alone (a code block, a bare tag) leaves nothing readable: the source then serves as the title.
  const title = inlineToText(input.title) || (blocks.length === 0 ? fallbackTitle(`${input.title} ${input.body}`) : '');
  const plain = blocks.map((b) => b.text).join('\n\n');
  const raw: { span: { text: string; start: number; end: number }; block: number; kind: BlockKind }[] = [];
  let offset = 0;
  blocks.forEach((block, index) => {
    for (const span of splitSentences(block.text, offset)) raw.push({ span, block: index, kind: block.kind });
    offset += block.text.length + 2;
  });
  const titleWords = tokenize(title);
  const sentenceWords = raw.map((r) => tokenize(r.span.text, r.span.start));
  const language = guessLanguage(lowerWords([titleWords, ...sentenceWords]), input.locale);
  const stopwords = stopwordsFor(language);
  const mark = (words: readonly Word[]): Token[] =>
    words.map((w, i) => ({
      text: w.text,
      lower: w.lower,
      start: w.start,
      end: w.end,
      key: foldWord(w.lower, language),
      stop: stopwords.has(w.lower),
      alpha: hasLetter(w.text),
      midCapital: i > 0 && isCapitalized(w.text),
    }));
  const sentences = raw.map((r, index) => {
    const tokens = mark(sentenceWords[index] ?? []);
    return { ...r.span, index, block: r.block, kind: r.kind, tokens, contentKeys: keysOf(tokens) };
  });
  const titleTokens = mark(titleWords);
  return { title, titleTokens, titleKeys: keysOf(titleTokens), plain, sentences, language };
}

/** Most list items a list introduction takes in. */
const MAX_JOINED_ITEMS = 6;
/** Longest list item a list introduction takes in. */
const MAX_JOINED_ITEM = 80;

/**
 * A paragraph that introduces a short list ("… recommends two doses:") is joined with its items into one sentence
 * ("… two doses: the first at 12 months; the second at three years."), so that it says something on its own.
 */
function joinListIntroductions(blocks: readonly Block[]): Block[] {
  const out: Block[] = [];
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i];
    if (block === undefined) continue;
    const items: string[] = [];
    for (let j = i + 1; blocks[j]?.kind === 'item'; j++) items.push(blocks[j]?.text ?? '');
    const short =
      items.length > 0 && items.length <= MAX_JOINED_ITEMS && items.every((t) => t.length <= MAX_JOINED_ITEM);
    if (block.kind !== 'paragraph' || !block.text.endsWith(':') || !short) {
      out.push(block);
      continue;
    }
    const list = items.map((t) => t.replace(/[\s.;,]+$/u, '')).join('; ');
    out.push({ kind: 'paragraph', text: `${block.text} ${list}.` });
    i += items.length;
  }
  return out;
}

function* lowerWords(lists: readonly (readonly Word[])[]): Generator<string> {
  for (const list of lists) for (const w of list) yield w.lower;
}

function fallbackTitle(source: string): string {
  const text = source.replace(/\s+/g, ' ').trim();
  return text.length <= 200 ? text : `${safeSlice(text, 199)}…`;
}

/** The keys of the content tokens of `tokens`. */
export function keysOf(tokens: readonly Token[]): string[] {
  const keys: string[] = [];
  for (const t of tokens) if (isContent(t)) keys.push(t.key);
  return keys;
}

/** True when `token` carries meaning: not a stopword, holds a letter, two characters or more (one for CJK). */
export function isContent(token: Token): boolean {
  return !token.stop && token.alpha && (token.lower.length > 1 || token.lower.charCodeAt(0) > 0x2e7f);
}
