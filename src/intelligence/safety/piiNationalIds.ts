/**
 * National identity numbers: US SSN, UK NINO, German Steuer-ID, French NIR, Spanish DNI/NIE, Italian codice
 * fiscale, Dutch BSN. Each is reported only when its structure and check digits are valid; the bare-digit
 * ones (SSN without dashes, Steuer-ID, BSN) also need a naming word nearby, since 9–11 digit runs are common.
 */
import { bsnValid, codiceFiscaleValid, dniValid, ninoValid, nirValid, ssnValid, steuerIdValid } from './piiChecks.ts';
import { finding, hasContextBefore, type PiiFinding } from './piiTypes.ts';

const SSN_DASHED = /\b(\d{3})-(\d{2})-(\d{4})\b/g;
const SSN_PLAIN = /\b\d{9}\b/g;
const SSN_CONTEXT = /\b(?:ssn|social security|soc\. sec\.|taxpayer id|tin)\b/i;
const NINO = /\b[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b/g;
const STEUER = /\b[1-9]\d ?\d{3} ?\d{3} ?\d{3}\b/g;
const STEUER_CONTEXT =
  /\b(?:steuer-?id|steuer-?identifikationsnummer|steueridentifikationsnummer|identifikationsnummer|idnr|steuernummer|tax id|tin)\b/i;
const NIR = /\b[12] ?\d{2} ?\d{2} ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}\b/g;
const DNI = /\b(?:\d{8}|[XYZ]-?\d{7})-?[A-Z]\b/g;
const CF = /\b[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]\b/g;
const BSN = /\b\d{4}\.?\d{2}\.?\d{3}\b/g;
const BSN_CONTEXT = /\b(?:bsn|burgerservicenummer|sofinummer|sofi-nummer|citizen service number)\b/i;

/** Every valid national id in `text`. */
export function findNationalIds(text: string): PiiFinding[] {
  const out: PiiFinding[] = [];
  const add = (m: RegExpMatchArray, ok: boolean): void => {
    if (ok && m.index !== undefined) out.push(finding('national_id', text, m.index, m.index + m[0].length));
  };
  for (const m of text.matchAll(SSN_DASHED)) add(m, ssnValid(m[0].replace(/-/g, '')));
  for (const m of text.matchAll(SSN_PLAIN)) add(m, ssnValid(m[0]) && hasContextBefore(text, m.index, SSN_CONTEXT));
  for (const m of text.matchAll(NINO)) add(m, ninoValid(m[0].replace(/ /g, '')));
  for (const m of text.matchAll(STEUER)) {
    const digits = m[0].replace(/ /g, '');
    add(m, steuerIdValid(digits) && hasContextBefore(text, m.index, STEUER_CONTEXT, 50));
  }
  for (const m of text.matchAll(NIR)) add(m, nirValid(m[0].replace(/ /g, '')));
  for (const m of text.matchAll(DNI)) add(m, dniValid(m[0].replace(/-/g, '')));
  for (const m of text.matchAll(CF)) add(m, codiceFiscaleValid(m[0]));
  for (const m of text.matchAll(BSN)) {
    add(m, bsnValid(m[0].replace(/\./g, '')) && hasContextBefore(text, m.index, BSN_CONTEXT, 50));
  }
  return out;
}
