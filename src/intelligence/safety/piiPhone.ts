/**
 * Phone numbers: E.164 / international (`+44 20 7946 0958`, `0049 30 1234567`), North American
 * (`(415) 555-0132`, `415-555-0132`, `1-800-555-0199`), and national trunk-prefix formats of the UK, Germany,
 * France, Italy, Spain, the Netherlands (`020 7946 0958`, `030/1234567`, `01 23 45 67 89`, `06-12345678`), and
 * Spanish and Italian mobiles without a trunk prefix when a phone word precedes them (`cellulare 347 123 4567`).
 * Years, prices, dates, ISBNs and version numbers are excluded by digit counts, separators and the words around.
 */
import { finding, hasContextBefore, type PiiFinding } from './piiTypes.ts';

const INTERNATIONAL = /(?:\+|\b00)[1-9]\d{0,2}(?:[ .\-/]?\(?0?\)?[ .\-/]?\d{1,5}){2,6}\b/g;
const NANP = /(?:\b1[ .-])?(?:\(\s?[2-9]\d{2}\s?\)\s?|\b[2-9]\d{2}[-. ])[2-9]\d{2}[-. ]\d{4}\b/g;
const TRUNK = /\b0[1-9]\d{0,4}(?:(?: - |[ \-/.]|\) ?)\d{2,8}){1,4}\b|\(0\d{1,4}\) ?\d{3,8}(?:[ -]\d{2,5})?\b/g;
const ES_MOBILE = /\b[6-9]\d{2}(?: \d{3} \d{3}| \d{2} \d{2} \d{2})\b/g;
// Italian mobiles have no trunk 0: 3xx xxx xxxx (10 digits), grouped 3-3-4 or 3-7.
const IT_MOBILE = /\b3\d{2}(?:[ .]\d{3}[ .]\d{4}|[ .]\d{7})\b/g;
const PLAIN = /\b0\d{9,11}\b/g;
const CONTEXT =
  /\b(?:tel|tél|phone|telephone|téléphone|telefon|telefoon|teléfono|telefono|call|ring|mobile|mobil|handy|cell|cellulare|portable|móvil|movil|fax|whatsapp|sms|text|bel|bellen|contact|hotline|nummer|number|numéro|número|numero|reach|appelez|llame|chiamare|ruf|anrufen)\b/i;
const BLOCKED_BEFORE =
  /(?:isbn(?:-1[03])?:?|issn:?|[$€£¥]|\b(?:v|version|ver\.|rev\.?|no\.|nr\.|#|order|invoice|ref)\s?)$/i;

function digitsOf(s: string): number {
  let n = 0;
  for (const c of s) if (c >= '0' && c <= '9') n += 1;
  return n;
}

function looksLikeDate(s: string): boolean {
  return /^\d{1,4}[./-]\d{1,2}[./-]\d{2,4}$/.test(s.trim()) || /^(?:19|20)\d{2}[./-]/.test(s);
}

/** Every phone number in `text`. */
export function findPhones(text: string): PiiFinding[] {
  const out: PiiFinding[] = [];
  const add = (start: number, raw: string, min: number, max: number, needContext: boolean): void => {
    const trimmed = raw.replace(/[\s.\-/]+$/, '');
    const n = digitsOf(trimmed);
    if (n < min || n > max || looksLikeDate(trimmed)) return;
    const before = text.slice(Math.max(0, start - 12), start);
    if (BLOCKED_BEFORE.test(before)) return;
    if (/[\d.,]$/.test(before) || /^[.,]\d/.test(text.slice(start + trimmed.length))) return;
    if (/[A-Z]{2}\d{2}(?: [A-Z0-9]{4})* ?$/.test(text.slice(Math.max(0, start - 40), start))) return; // inside an IBAN
    if (needContext && !hasContextBefore(text, start, CONTEXT, 30)) return;
    out.push(finding('phone', text, start, start + trimmed.length));
  };
  for (const m of text.matchAll(INTERNATIONAL)) add(m.index, m[0], 8, 15, false);
  for (const m of text.matchAll(NANP)) add(m.index, m[0], 10, 11, false);
  for (const m of text.matchAll(TRUNK)) add(m.index, m[0], 9, 12, !/[ \-/)]/.test(m[0]));
  for (const m of text.matchAll(ES_MOBILE)) add(m.index, m[0], 9, 9, true);
  for (const m of text.matchAll(IT_MOBILE)) add(m.index, m[0], 10, 10, true);
  for (const m of text.matchAll(PLAIN)) add(m.index, m[0], 10, 12, true);
  return out;
}
