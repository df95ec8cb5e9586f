/**
 * Sentence splitting for news prose in Galley's languages. A terminator (`.`, `!`, `?`, `…`, `。`, `؟` …) plus any
 * closing quotes or brackets ends a sentence when whitespace and a plausible sentence start follow. It does not
 * end one after an abbreviation (`Mr.`, `Dr.`, `e.g.`, `z. B.`, `M.`), an initial (`J. K. Rowling`), a dotted
 * acronym before a name (`U.S. President`), inside a number (`3.5`), before a lower-case word (`… she said`) or
 * after a German ordinal before a month (`am 3. Oktober`). Line breaks always end a sentence.
 */
import { isAnyStopword } from './stopwords.ts';
import { lowerWord } from './words.ts';

/** A sentence: its text and where it sits in the split text. */
export interface Span {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** Titles before a name: never the end of a sentence. */
const TITLES = new Set(
  `mr mrs ms messrs dr prof gen sen rep gov lt col capt cmdr sgt adm rev hon pres supt insp st mt ft jr sr sra srta
  dra dres dott dottssa ing avv sig sig.ra dhr mevr mme mlle mgr hr fr frau herr`.split(/\s+/),
);

/** Other abbreviations: a sentence ends after one only when a capitalized function word follows. */
const ABBREVIATIONS = new Set(
  `etc vs inc ltd co corp plc llc bros no nos nr approx ca fig figs vol vols ed eds dept est min max al ave blvd rd
  jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun
  bzw usw vgl ggf inkl evtl bspw sog ua zzt abs str tel
  env cf av apr hab
  aprox pág núm ud uds
  ecc pag
  bijv enz resp
  pag`.split(/\s+/),
);

/** Never a sentence end, whatever follows. */
const NEVER_END = new Set(['e.g', 'i.e', 'z.b', 'd.h', 'u.a', 'z.t', 'p.ex', 'p.ej', 'a.c', 'ca', 'cf', 'vs', 'vgl']);

const MONTHS = new Set(
  `januar jänner februar märz april mai juni juli august september oktober november dezember`.split(/\s+/),
);

// French sets a (narrow) space before a closing guillemet, which still belongs to the sentence.
const TERMINATOR = /[.!?…。！？؟।‼⁇⁈⁉]+(?:[ \u00a0\u202f]*[»›])?["'”’»›)\]]*/gu;
const CJK_STOP = /[。！？]/u;
// Sticky: matched at a given position, so looking around a terminator costs nothing per character of the line.
const NEXT_WORD = /\s*([\p{L}\p{M}\p{N}]*)/uy;
const WORD_CHAR = /[\p{L}\p{M}\p{N}.]/u;

/** Splits `text` into trimmed sentences with offsets relative to `text` plus `offset`. */
export function splitSentences(text: string, offset = 0): Span[] {
  const spans: Span[] = [];
  let lineStart = 0;
  for (const line of text.split('\n')) {
    let start = 0;
    for (const match of line.matchAll(TERMINATOR)) {
      const end = match.index + match[0].length;
      if (isBoundary(line, match.index, match[0], end)) {
        pushSpan(spans, line, start, end, lineStart + offset);
        start = end;
      }
    }
    pushSpan(spans, line, start, line.length, lineStart + offset);
    lineStart += line.length + 1;
  }
  return spans;
}

function pushSpan(spans: Span[], line: string, from: number, to: number, base: number): void {
  const raw = line.slice(from, to);
  const lead = raw.length - raw.trimStart().length;
  const text = raw.trim();
  if (text.length > 0) spans.push({ text, start: base + from + lead, end: base + from + lead + text.length });
}

/** Decides whether the terminator `mark` at `at` (ending at `end`) in `line` ends a sentence. */
function isBoundary(line: string, at: number, mark: string, end: number): boolean {
  if (CJK_STOP.test(mark)) return true;
  if (end >= line.length) return true;
  if (!/\s/u.test(line.charAt(end))) return false;
  NEXT_WORD.lastIndex = end;
  const nextMatch = NEXT_WORD.exec(line);
  const restStart = end + (nextMatch?.[0].length ?? 0) - (nextMatch?.[1]?.length ?? 0);
  if (restStart >= line.length) return true;
  const first = String.fromCodePoint(line.codePointAt(restStart) ?? 0x20);
  if (/\p{Ll}/u.test(first)) return false;
  if (!mark.startsWith('.') || mark.startsWith('..')) return true;
  return periodEnds(previousWord(line, at), nextMatch?.[1] ?? '');
}

/** The word (letters, marks, digits, inner periods) that ends just before `at`, read back by code point. */
function previousWord(line: string, at: number): string {
  let from = at;
  while (from > 0) {
    const unit = line.charCodeAt(from - 1);
    const width = unit >= 0xdc00 && unit <= 0xdfff && from > 1 ? 2 : 1;
    if (!WORD_CHAR.test(line.slice(from - width, from))) break;
    from -= width;
  }
  return line.slice(from, at);
}

/** Whether a single period ends a sentence, given the word before it and the next word. */
function periodEnds(previous: string, next: string): boolean {
  const word = lowerWord(previous).replace(/^\.+/, '');
  if (word.length === 0) return true;
  if (TITLES.has(word) || NEVER_END.has(word)) return false;
  if (/^\p{N}+$/u.test(word)) return !MONTHS.has(lowerWord(next));
  const initial = /^\p{L}$/u.test(word);
  const acronym = /^(?:\p{L}\.)+\p{L}$/u.test(word);
  if (initial || acronym || ABBREVIATIONS.has(word)) return isAnyStopword(lowerWord(next));
  return true;
}
