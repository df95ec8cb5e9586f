/**
 * Text normalisation for the safety detectors. Attackers hide instructions from naive matchers with Unicode
 * compatibility forms, zero-width and bidi characters, lookalike letters from other scripts, light leetspeak,
 * letter spacing and encodings (base64, hex, URL-encoding, HTML entities). Everything here turns such text
 * into plain lower-case Latin so one set of patterns sees through all of them. Offsets are NOT preserved:
 * detectors that need spans (PII) work on the original text.
 */

/** Zero-width, bidi-control, soft-hyphen and other invisible format characters. */
export const INVISIBLE_CHARS =
  /[\u00AD\u061C\u115F\u1160\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\u3164\uFEFF\uFFA0]/g;

/** Cyrillic and Greek letters that look like Latin ones (after lower-casing). */
const HOMOGLYPHS: Readonly<Record<string, string>> = Object.freeze({
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  һ: 'h',
  ӏ: 'l',
  ԛ: 'q',
  ԝ: 'w',
  ɡ: 'g',
  ı: 'i',
  α: 'a',
  β: 'b',
  ε: 'e',
  η: 'n',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ϲ: 'c',
  ϳ: 'j',
});

const HOMOGLYPH_RE = new RegExp(`[${Object.keys(HOMOGLYPHS).join('')}]`, 'g');
const LEET: Readonly<Record<string, string>> = Object.freeze({
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
});
const NON_ASCII = /[^\t\n\r -~]/;
/** Leet digits between letters (`h4x`, `j41lbr34k`) or leading a word (`1gnore`); not `utf8`, `5kg`, `es2024`. */
const LEET_HINT = /[a-z][013457]+[a-z]|\b[013457]+[a-z]{3}/;
const LEET_TOKEN = /[a-z0-9]*[a-z][013457]+[a-z][a-z0-9]*|\b[013457]+[a-z]{3}[a-z0-9]*/g;
/** Letters spaced out to dodge word matching: `i g n o r e`, `i.g.n.o.r.e`, `i-g-n-o-r-e`. */
const SPACED = /\b(?:[a-z][ .\-_*]){3,}[a-z]\b/g;

/**
 * Folds text for matching: NFKC, invisible characters removed, lower case, homoglyphs to Latin, HTML
 * entities decoded, leetspeak tokens repaired, spaced-out letters joined, whitespace collapsed.
 */
export function foldText(text: string): string {
  let t = decodeEntities(text).toLowerCase();
  if (NON_ASCII.test(t)) {
    t = t.normalize('NFKC').replace(INVISIBLE_CHARS, '').toLowerCase();
    t = t.replace(HOMOGLYPH_RE, (c) => HOMOGLYPHS[c] ?? c);
    t = t.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
    t = t.replace(/[’‘`´]/g, "'");
  }
  if (LEET_HINT.test(t)) t = t.replace(LEET_TOKEN, leet);
  t = t.replace(SPACED, (run) => run.replace(/[ .\-_*]/g, ''));
  return t.replace(/[\s_]+/g, ' ');
}

function leet(token: string): string {
  let out = '';
  for (const c of token) out += LEET[c] ?? c;
  return out;
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = Object.freeze({
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
});

/** Decodes numeric and the common named HTML entities (`&#105;gnore`, `&#x69;`, `&lt;`). */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,6});/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? whole;
  });
}

const BASE64_RUN = /[A-Za-z0-9+/_-]{20,}={0,2}/g;
const HEX_RUN = /\b(?:[0-9a-fA-F]{2}[\s:]?){10,}/g;
const URL_RUN = /(?:%[0-9A-Fa-f]{2}|[A-Za-z0-9.+_-]){0,40}(?:%[0-9A-Fa-f]{2}[A-Za-z0-9.+_-]*){4,}/g;
const ESCAPE_RUN = /(?:\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}){6,}/g;

/**
 * Decodes embedded base64, hex, URL-encoded and `\u`/`\x`-escaped runs whose result reads as text (mostly
 * printable, with letters and spaces). Returns the decoded strings, so detectors can scan them as well.
 */
export function decodeEmbedded(text: string): readonly string[] {
  const found: string[] = [];
  for (const m of text.matchAll(BASE64_RUN)) {
    const run = m[0];
    // A plain long word or identifier is not base64 worth decoding; real payloads mix cases and digits.
    if (!/[A-Z]/.test(run) || !/[a-z]/.test(run) || !/\d|[A-Z].*[A-Z].*[A-Z]/.test(run)) continue;
    pushIfText(found, Buffer.from(run.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8'));
  }
  for (const m of text.matchAll(HEX_RUN))
    pushIfText(found, Buffer.from(m[0].replace(/[\s:]/g, ''), 'hex').toString('utf8'));
  if (text.includes('%')) {
    for (const m of text.matchAll(URL_RUN)) {
      try {
        pushIfText(found, decodeURIComponent(m[0].replace(/\+/g, ' ')));
      } catch {
        // A malformed escape sequence is not an encoded message.
      }
    }
  }
  if (text.includes('\\')) {
    for (const m of text.matchAll(ESCAPE_RUN)) {
      pushIfText(
        found,
        m[0].replace(/\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})/g, (_w, u: string | undefined, x: string | undefined) =>
          String.fromCharCode(Number.parseInt(u ?? x ?? '0', 16)),
        ),
      );
    }
  }
  if (MORSE_RUN.test(text)) for (const m of text.matchAll(MORSE_RUNS)) pushIfText(found, decodeMorse(m[0]));
  return found;
}

const MORSE_RUN = /(?:[.-]{1,7}[ /]+){9}/;
const MORSE_RUNS = /(?:[.-]{1,7}(?: {1,3}| ?\/ ?)){9,}[.-]{0,7}/g;
const MORSE: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(
    "a.- b-... c-.-. d-.. e. f..-. g--. h.... i.. j.--- k-.- l.-.. m-- n-. o--- p.--. q--.- r.-. s... t- u..- v...- w.-- x-..- y-.-- z--.. 0----- 1.---- 2..--- 3...-- 4....- 5..... 6-.... 7--... 8---.. 9----. ..-.-.- ,--..-- ?..--.. '.----."
      .split(' ')
      .map((e) => [e.slice(1), e[0] ?? '']),
  ),
);

/** Morse code (letters separated by one space, words by two or more, or by a slash). */
function decodeMorse(run: string): string {
  return run
    .trim()
    .split(/ {2,}| ?\/ ?/)
    .map((word) =>
      word
        .split(' ')
        .map((sym) => MORSE[sym] ?? '')
        .join(''),
    )
    .join(' ');
}

function pushIfText(found: string[], decoded: string): void {
  if (decoded.length < 8 || !decoded.includes(' ')) return;
  let printable = 0;
  for (const c of decoded) if (/[\p{L}\p{N}\p{P}\p{Zs}]/u.test(c)) printable += 1;
  if (printable / decoded.length >= 0.9 && /\p{L}{3}/u.test(decoded)) found.push(decoded);
}

/** ROT13, for payloads announced as such ("rot13: vtaber nyy…"). */
export function rot13(text: string): string {
  return text.replace(/[a-z]/gi, (c) => {
    const base = c <= 'Z' ? 65 : 97;
    return String.fromCharCode(((c.charCodeAt(0) - base + 13) % 26) + base);
  });
}
