/**
 * Unicode-aware word tokenization with source offsets. A word is a run of letters, marks and digits that may hold
 * inner apostrophes or hyphens (`don't`, `covid-19`, `Baden-Württemberg`) and decimal separators between digits
 * (`3.5`, `2,5`, `2.1bn`); French and Italian elisions are split
 * off (`l'économie` → `économie`) and English possessives dropped (`Merkel's` → `Merkel`), so that the words the
 * tasks count are the words a reader sees.
 */

/** One word of a text. */
export interface Word {
  /** The word as written (possessive or elision removed). */
  readonly text: string;
  /** Lower-case form with typographic apostrophes folded to `'`. */
  readonly lower: string;
  /** Offset of the first character in the tokenized text. */
  readonly start: number;
  /** Offset just past the last character. */
  readonly end: number;
}

// Inner apostrophes and hyphens join word parts; a point or comma joins digits (3.5, 35.000, 2,5, $2.1bn).
const WORD = /[\p{L}\p{M}\p{N}]+(?:(?:['’\-‐]|(?<=\p{N})[.,](?=\p{N}))[\p{L}\p{M}\p{N}]+)*/gu;
const ELISION = /^(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu|dell|dall|nell|sull|all|un|quell|nessun)['’]/iu;
const POSSESSIVE = /['’]s$/iu;

/** Lower-cases `text` and folds typographic apostrophes, the form every comparison uses. */
export function lowerWord(text: string): string {
  const lower = text.toLowerCase();
  return lower.includes('’') ? lower.replaceAll('’', "'") : lower;
}

/** The words of `text` in order, with offsets relative to `text` plus `offset`. */
export function tokenize(text: string, offset = 0): Word[] {
  const out: Word[] = [];
  for (const match of text.matchAll(WORD)) {
    let word = match[0];
    let start = match.index + offset;
    if (word.includes("'") || word.includes('’')) {
      const elision = ELISION.exec(word);
      if (elision !== null && elision[0].length < word.length) {
        word = word.slice(elision[0].length);
        start += elision[0].length;
      }
      if (POSSESSIVE.test(word) && word.length > 2) word = word.slice(0, -2);
    }
    out.push({ text: word, lower: lowerWord(word), start, end: start + word.length });
  }
  return out;
}

/** True when `word` holds at least one letter (numbers, years and amounts make poor keywords). */
export function hasLetter(word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) return true;
    if (c > 127) return /\p{L}/u.test(word);
  }
  return false;
}

/** True when `word` starts with an upper-case letter. */
export function isCapitalized(word: string): boolean {
  const c = word.charCodeAt(0);
  if (c < 128) return c >= 65 && c <= 90;
  return /^\p{Lu}/u.test(word);
}

/**
 * A light inflection fold used only to count and match words (never shown): English, French, Spanish and
 * Portuguese plurals in -s (and English -ies) meet their singular, so "pump" and "pumps" are one term.
 */
export function foldWord(lower: string, language: string): string {
  if (language !== 'en' && language !== 'fr' && language !== 'es' && language !== 'pt') return lower;
  if (lower.length > 4 && language === 'en' && lower.endsWith('ies')) return `${lower.slice(0, -3)}y`;
  if (lower.length > 4 && lower.endsWith('s') && !/(?:ss|us|is|ös|ás|és|ís|ós|ús)$/u.test(lower)) {
    return lower.slice(0, -1);
  }
  return lower;
}
