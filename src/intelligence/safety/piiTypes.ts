/** The PII finding types shared by the detector files (re-exported from pii.ts). */

/** The kinds of personal data the detector finds. */
export type PiiKind = 'email' | 'phone' | 'card' | 'iban' | 'national_id' | 'address' | 'ip';

/** One finding: its kind, the matched text and its [start, end) span in the scanned text. */
export interface PiiFinding {
  readonly kind: PiiKind;
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** Builds a frozen finding from a span of `text`. */
export function finding(kind: PiiKind, text: string, start: number, end: number): PiiFinding {
  return Object.freeze({ kind, text: text.slice(start, end), start, end });
}

/** True when one of `words` (a regex alternation) occurs within `window` characters before `start`. */
export function hasContextBefore(text: string, start: number, words: RegExp, window = 40): boolean {
  return words.test(text.slice(Math.max(0, start - window), start));
}
