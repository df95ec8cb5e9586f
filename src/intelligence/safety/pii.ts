/**
 * Personal data detection and redaction for entry text: e-mail addresses, phone numbers, payment cards
 * (Luhn), IBANs (ISO 13616 mod 97), national ids (check digits), street addresses and IP addresses. Findings
 * are sorted by start and never overlap; where two candidates overlap, the longer (then the more specific
 * kind) wins. `redactPii` is what the gateway applies before text leaves Galley for a model provider.
 */

import { findAddresses } from './piiAddress.ts';
import { ibanValid, luhnValid } from './piiChecks.ts';
import { findNationalIds } from './piiNationalIds.ts';
import { findPhones } from './piiPhone.ts';
import { finding, type PiiFinding, type PiiKind } from './piiTypes.ts';

export type { PiiFinding, PiiKind } from './piiTypes.ts';

const EMAIL =
  /[A-Za-z0-9](?:[A-Za-z0-9._%+-]*[A-Za-z0-9_%+-])?@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}\b/g;
const CARD = /\b[2-6]\d{2,3}(?:[ -]?\d{2,6}){2,5}\b/g;
/** Card groupings: unbroken, 4-4-4-4(-3), or Amex/Diners 4-6-5 / 4-6-4. */
const CARD_GROUPS = /^(?:\d+|\d{4}(?: \d{4}){2} \d{1,4}(?: \d{1,3})?|\d{4} \d{6} \d{4,5})$/;
const IBAN = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{1,4}){3,8}\b/g;
const IPV4 = /\b(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\b/g;
const IPV6 =
  /(?<![\w:])(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}(?![\w:])|(?<![\w:])(?:[0-9a-fA-F]{1,4}:){1,6}:(?:[0-9a-fA-F]{1,4}:){0,5}[0-9a-fA-F]{1,4}(?![\w:])/g;

/** Priority when spans tie: the more specific, validated kinds first. */
const PRIORITY: Readonly<Record<PiiKind, number>> = Object.freeze({
  email: 0,
  iban: 1,
  card: 2,
  national_id: 3,
  ip: 4,
  phone: 5,
  address: 6,
});

/** Redaction placeholders. */
export const PII_PLACEHOLDERS: Readonly<Record<PiiKind, string>> = Object.freeze({
  email: '[EMAIL]',
  phone: '[PHONE]',
  card: '[CARD]',
  iban: '[IBAN]',
  national_id: '[NATIONAL_ID]',
  address: '[ADDRESS]',
  ip: '[IP]',
});

function findCards(text: string): PiiFinding[] {
  const out: PiiFinding[] = [];
  for (const m of text.matchAll(CARD)) {
    const digits = m[0].replace(/[ -]/g, '');
    if (digits.length < 13 || digits.length > 19 || !luhnValid(digits)) continue;
    if (/^97[89]/.test(digits) && digits.length === 13) continue; // ISBN-13
    if (/isbn[\s:-]*$/i.test(text.slice(Math.max(0, m.index - 8), m.index))) continue;
    const seps = new Set(m[0].match(/[ -]/g) ?? []);
    if (seps.size > 1 || !CARD_GROUPS.test(m[0].replace(/-/g, ' '))) continue;
    if (/[A-Z]{2}\d{2}[ -]?$/.test(text.slice(Math.max(0, m.index - 5), m.index))) continue; // inside an IBAN
    out.push(finding('card', text, m.index, m.index + m[0].length));
  }
  return out;
}

function findIbans(text: string): PiiFinding[] {
  const out: PiiFinding[] = [];
  for (const m of text.matchAll(IBAN)) {
    // The run may have swallowed a following code ("… 00 BIC"); shrink to the longest valid prefix.
    let raw = m[0];
    while (raw.length >= 15) {
      if (ibanValid(raw.replace(/ /g, ''))) {
        out.push(finding('iban', text, m.index, m.index + raw.length));
        break;
      }
      raw = raw.slice(0, -1).trimEnd();
    }
  }
  return out;
}

function findIps(text: string): PiiFinding[] {
  const out: PiiFinding[] = [];
  for (const m of text.matchAll(IPV4)) {
    const before = text.slice(Math.max(0, m.index - 9), m.index);
    if (/(?:\bv|version|ver\.)\s?$/i.test(before) || /[\d.]$/.test(before)) continue;
    if (/^\.\d/.test(text.slice(m.index + m[0].length))) continue;
    out.push(finding('ip', text, m.index, m.index + m[0].length));
  }
  for (const m of text.matchAll(IPV6)) {
    if ((m[0].match(/:/g)?.length ?? 0) >= 3 || m[0].includes('::')) {
      if (/^\d{1,2}:\d{2}$/.test(m[0])) continue;
      out.push(finding('ip', text, m.index, m.index + m[0].length));
    }
  }
  return out;
}

function resolve(candidates: readonly PiiFinding[]): readonly PiiFinding[] {
  const ranked = [...candidates].sort(
    (a, b) => b.end - b.start - (a.end - a.start) || PRIORITY[a.kind] - PRIORITY[b.kind] || a.start - b.start,
  );
  const kept: PiiFinding[] = [];
  for (const c of ranked) if (!kept.some((k) => c.start < k.end && k.start < c.end)) kept.push(c);
  return Object.freeze(kept.sort((a, b) => a.start - b.start));
}

/** Every PII finding in `text`, sorted by start, non-overlapping. */
export function detectPii(text: string): readonly PiiFinding[] {
  const candidates: PiiFinding[] = [];
  if (text.includes('@'))
    for (const m of text.matchAll(EMAIL)) candidates.push(finding('email', text, m.index, m.index + m[0].length));
  if (/\d/.test(text)) {
    candidates.push(...findIbans(text), ...findCards(text), ...findNationalIds(text), ...findIps(text));
    candidates.push(...findPhones(text), ...findAddresses(text));
  }
  return resolve(candidates);
}

/** `text` with every finding replaced by its placeholder (`[EMAIL]`, `[PHONE]` …), and the findings. */
export function redactPii(text: string): { readonly text: string; readonly findings: readonly PiiFinding[] } {
  const findings = detectPii(text);
  let out = '';
  let at = 0;
  for (const f of findings) {
    out += text.slice(at, f.start) + PII_PLACEHOLDERS[f.kind];
    at = f.end;
  }
  return Object.freeze({ text: out + text.slice(at), findings });
}
