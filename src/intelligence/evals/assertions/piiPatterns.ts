/**
 * The deterministic personal-data detector behind `no-pii`: e-mail addresses, phone numbers (international
 * `+…`/`00…` or national `0…` with 9–15 digits), IBANs (mod-97 checked) and payment card numbers (Luhn checked).
 * Deliberately conservative so that newsroom figures (`2,300,000`, `1998–2004`, scores) never count as phones.
 */

/** One detected span. */
export interface PiiSpan {
  readonly kind: 'email' | 'phone' | 'iban' | 'card';
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;
const PHONE = /(?<![\p{L}\p{N}+])(?:(?:\+|00)\d{1,3}[\s./-]?(?:\(0\)\s?)?|0)\d{1,5}(?:[\s./-]?\d{2,8}){1,4}(?!\p{N})/gu;
const IBAN = /\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,4})?\b/g;
const CARD = /(?<!\p{N})\d{4}(?:[\s-]?\d{4}){2}[\s-]?\d{1,7}(?!\p{N})/gu;

function ibanValid(text: string): boolean {
  const compact = text.replace(/\s/g, '');
  if (compact.length < 15 || compact.length > 34) return false;
  const rearranged = `${compact.slice(4)}${compact.slice(0, 4)}`;
  let remainder = 0;
  for (const ch of rearranged) {
    const digits = /[A-Z]/.test(ch) ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of digits) remainder = (remainder * 10 + Number(d)) % 97;
  }
  return remainder === 1;
}

function luhnValid(text: string): boolean {
  const digits = text.replace(/\D/g, '');
  if (digits.length < 13 || digits.length > 19) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function scan(text: string, pattern: RegExp, kind: PiiSpan['kind'], valid: (s: string) => boolean): PiiSpan[] {
  return [...text.matchAll(pattern)]
    .filter((m) => valid(m[0]))
    .map((m) => ({ kind, text: m[0], start: m.index, end: m.index + m[0].length }));
}

/** Personal data found in `text`, in order of position; overlapping detections keep the first, longest one. */
export function detectPii(text: string): PiiSpan[] {
  const phoneDigits = (s: string) => {
    const n = s.replace(/\D/g, '').length;
    return n >= 9 && n <= 15;
  };
  const all = [
    ...scan(text, EMAIL, 'email', () => true),
    ...scan(text, IBAN, 'iban', ibanValid),
    ...scan(text, CARD, 'card', luhnValid),
    ...scan(text, PHONE, 'phone', phoneDigits),
  ].sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: PiiSpan[] = [];
  for (const span of all) {
    const last = kept.at(-1);
    if (last === undefined || span.start >= last.end) kept.push(span);
  }
  return kept;
}
