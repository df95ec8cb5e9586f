/**
 * Shortening text for display limits: at a word boundary, without dangling punctuation or function words, never
 * splitting a surrogate pair, and within the limit in UTF-16 code units (so also in code points, which is what
 * the output schemas count).
 */

/** Function words a cut text must not end on (articles, prepositions, conjunctions) in Galley's languages. */
const DANGLING_WORDS = new Set(
  `a an the and or but nor of to in on at for with by from as that which who than into
  der die das den dem des ein eine einen einem einer und oder aber mit von zu zum zur für auf im an am bei aus nach
  le la les l un une des de du d et ou mais à au aux en pour par sur avec que qui
  el los las unos unas y o pero del al con por para
  il lo i gli e ma di della dei delle nel nella per che
  het een en van op met voor aan te dat
  os as um uma ou mas do da dos das em no na com`.split(/\s+/),
);

const DANGLING_PUNCTUATION = /[\s,;:.\-–—/&+([{«„‚"'“‘‹¿¡]+$/u;
const ELLIPSIS = '…';

/** Removes trailing punctuation and function words ("and", "the") that would dangle, as long as text remains. */
export function stripDangling(text: string): string {
  let out = text.replace(DANGLING_PUNCTUATION, '');
  for (;;) {
    const match = /(?:^|\s)([\p{L}']+)$/u.exec(out);
    const word = match?.[1];
    if (match === null || word === undefined || !DANGLING_WORDS.has(word.toLowerCase())) break;
    const shorter = out.slice(0, match.index).replace(DANGLING_PUNCTUATION, '');
    if (shorter.length === 0) break;
    out = shorter;
  }
  return out.length > 0 ? out : text.trim();
}

/**
 * `text` cut to at most `max` characters (`max` ≥ 1) at a word boundary when one lies in the second half, with
 * `…` marking the cut unless `ellipsis` is false. Returns `text` unchanged when it fits; never returns ''.
 */
export function cutAtWord(text: string, max: number, options: { readonly ellipsis?: boolean } = {}): string {
  if (text.length <= max) return text;
  const mark = options.ellipsis === false || max < 2 ? '' : ELLIPSIS;
  const room = max - mark.length;
  const slice = safeSlice(text, room + 1);
  const space = slice.search(/\s\S*$/u);
  let cut = space >= Math.floor(room / 2) ? slice.slice(0, space) : safeSlice(text, room);
  cut = stripDangling(cut);
  if (cut.length > room) cut = safeSlice(cut, room);
  if (cut.trim().length === 0) return String.fromCodePoint(text.codePointAt(0) ?? 0x20);
  return `${cut}${mark}`;
}

/** The first `length` UTF-16 units of `text`, one fewer when the last would be half a surrogate pair. */
export function safeSlice(text: string, length: number): string {
  const end = Math.min(length, text.length);
  const last = text.charCodeAt(end - 1);
  return last >= 0xd800 && last <= 0xdbff ? text.slice(0, end - 1) : text.slice(0, end);
}
