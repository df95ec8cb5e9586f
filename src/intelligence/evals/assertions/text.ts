/**
 * Deterministic text helpers shared by the assertions: Unicode-aware tokens, a small stopword list for the
 * newsroom languages Galley's golden sets cover (en, de, fr, es, nl, it), a light prefix match that tolerates
 * inflection, and number normalization (`1,200`, `1.200` and `1200` are the same figure; `3,5` and `3.5` too).
 */

const STOPWORDS = new Set(
  [
    // en
    'the a an and or but of to in on at for with by from as is are was were be been being it its this that these those',
    'he she they we you i his her their our your them him has have had do does did not no will would can could should',
    'may might must than then there here which who whom whose what when where why how all any each more most some such',
    'into over under after before about also just only very said says new one two out up',
    // de
    'der die das den dem des ein eine einen einem einer und oder aber im in am an auf aus bei mit nach von vor zu zum zur',
    'ist sind war waren wird werden wurde wurden hat haben hatte nicht kein keine sich es er sie wir ihr auch noch nur',
    'als wie so dass für über unter durch bis sei seit',
    // fr
    'le la les un une des du de et ou mais dans sur pour par avec sans est sont été être il elle ils elles nous vous',
    'ce cette ces qui que quoi dont au aux pas ne plus se sa son ses leur leurs a ont été',
    // es
    'el los las unos unas del y o pero en con por para sin es son fue fueron ser está están lo al se su sus que como más',
    // nl
    'het een en of maar van op aan met voor door bij naar uit is zijn was waren wordt worden heeft hebben niet ook dat die',
    'deze dit er hij zij wij ze als om te tot',
    // it
    'il lo gli i una uno e ed o ma di da con su per tra fra è sono era erano essere ha hanno non anche che come più nel',
    'nella della delle degli dei al alla alle agli si',
  ]
    .join(' ')
    .split(' '),
);

/** Lower-cased word tokens (letters and digits, any script). */
export function words(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu) ?? []).map((w) => w.normalize('NFC'));
}

/** Word count as an editor would count it. */
export function wordCount(text: string): number {
  return words(text).length;
}

/** Content words: lower-cased tokens that are not stopwords, not pure numbers and at least 3 characters long. */
export function contentWords(text: string): string[] {
  return words(text).filter((w) => w.length >= 3 && !STOPWORDS.has(w) && !/^\p{N}+$/u.test(w));
}

/** True when `word` is a stopword of one of the covered languages. */
export function isStopword(word: string): boolean {
  return STOPWORDS.has(word.toLowerCase());
}

function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i += 1;
  return i;
}

/**
 * True when two lower-cased words are the same word up to inflection: equal, or sharing a prefix that covers all
 * but the last three characters of the shorter one (and at least four): `election`/`elections`,
 * `Bürgermeister`/`Bürgermeisterin`, `votó`/`votos` do; `plan`/`planet` do not.
 */
export function sameStem(a: string, b: string): boolean {
  if (a === b) return true;
  const shorter = Math.min(a.length, b.length);
  if (shorter < 4) return false;
  return commonPrefix(a, b) >= Math.max(4, shorter - 3);
}

/** A lookup of the words of a source text that answers "does the source contain this word (up to stem)?". */
export interface WordIndex {
  has(word: string): boolean;
}

/** Indexes `text`'s words for `sameStem` lookups (bucketed by first two characters). */
export function indexWords(text: string): WordIndex {
  const exact = new Set(words(text));
  const buckets = new Map<string, string[]>();
  for (const w of exact) {
    const key = w.slice(0, 2);
    const bucket = buckets.get(key);
    if (bucket === undefined) buckets.set(key, [w]);
    else bucket.push(w);
  }
  return {
    has(word: string): boolean {
      const w = word.toLowerCase();
      if (exact.has(w)) return true;
      return (buckets.get(w.slice(0, 2)) ?? []).some((candidate) => sameStem(w, candidate));
    },
  };
}

/** Figures in `text`, normalized to their digits (`1,200` → `1200`, `3,5` → `35`, `2026` → `2026`). */
export function figures(text: string): string[] {
  return (text.match(/\p{N}+(?:[.,\u00a0\u202f]\p{N}{3})*(?:[.,]\p{N}+)?/gu) ?? []).map((f) =>
    f.replace(/[^\p{N}]/gu, ''),
  );
}

/**
 * Capitalized words that are not the first word of a sentence or line: names of people, places and
 * organisations (and, in German, nouns). Returned as written.
 */
export function names(text: string): string[] {
  const found: string[] = [];
  for (const sentence of text.split(/(?<=[.!?:;…])\s+|\n+|^\s*[-*•]\s+/u)) {
    const tokens = sentence.match(/[\p{L}][\p{L}\p{N}'’-]*/gu) ?? [];
    tokens.slice(1).forEach((token) => {
      if (/^\p{Lu}/u.test(token) && !isStopword(token)) found.push(token);
    });
  }
  return found;
}

/** Percentile `p` (0–100) of `values` by nearest rank; undefined for none. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}
