/** PII detection and redaction: every kind and country, hard negatives, and property tests. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { detectPii, type PiiKind, redactPii } from './pii.ts';
import { ibanValid, luhnValid } from './piiChecks.ts';

function found(text: string): [PiiKind, string][] {
  return detectPii(text).map((f) => [f.kind, f.text]);
}

describe('detectPii', () => {
  const cases: readonly [string, PiiKind, string][] = [
    ['Mail anna.schmidt@beispiel.de today', 'email', 'anna.schmidt@beispiel.de'],
    ['call (415) 555-0132 now', 'phone', '(415) 555-0132'],
    ['UK: 020 7946 0958.', 'phone', '020 7946 0958'],
    ['Tel. +49 (0)89 2345 6789', 'phone', '+49 (0)89 2345 6789'],
    ['appelez le 01 23 45 67 89', 'phone', '01 23 45 67 89'],
    ['móvil 612 34 56 78', 'phone', '612 34 56 78'],
    ['bel 06-12345678', 'phone', '06-12345678'],
    ['card 4111 1111 1111 1111 expires', 'card', '4111 1111 1111 1111'],
    ['amex 378282246310005', 'card', '378282246310005'],
    ['IBAN DE89 3704 0044 0532 0130 00 BIC COBADEFFXXX', 'iban', 'DE89 3704 0044 0532 0130 00'],
    ['SSN 078-05-1120', 'national_id', '078-05-1120'],
    ['NINO AB 12 34 56 C', 'national_id', 'AB 12 34 56 C'],
    ['Steuer-ID: 12390978567', 'national_id', '12390978567'],
    ['NIR 2 69 05 49 588 157 80', 'national_id', '2 69 05 49 588 157 80'],
    ['DNI 12345678Z', 'national_id', '12345678Z'],
    ['NIE X1234567L', 'national_id', 'X1234567L'],
    ['CF RSSMRA85T10A562S', 'national_id', 'RSSMRA85T10A562S'],
    ['BSN 123456782', 'national_id', '123456782'],
    ['from 203.0.113.42 at noon', 'ip', '203.0.113.42'],
    ['v6 2001:db8::8a2e:370:7334 seen', 'ip', '2001:db8::8a2e:370:7334'],
    ['at 221B Baker Street, London NW1 6XE.', 'address', '221B Baker Street, London NW1 6XE'],
    ['in der Hauptstraße 12, 10115 Berlin.', 'address', 'Hauptstraße 12, 10115 Berlin'],
    ['au 12 rue de la Paix, 75002 Paris.', 'address', '12 rue de la Paix, 75002 Paris'],
    ['en Calle Mayor 10, 28013 Madrid.', 'address', 'Calle Mayor 10, 28013 Madrid'],
    ['aan de Keizersgracht 123, 1015 CJ Amsterdam.', 'address', 'Keizersgracht 123, 1015 CJ Amsterdam'],
  ];
  for (const [text, kind, span] of cases) {
    test(`${kind}: ${span}`, () => assert.deepEqual(found(text), [[kind, span]]));
  }

  test('hard negatives: years, prices, dates, times, ISBNs, versions, order numbers', () => {
    const text =
      'In 2024 the price rose to $1,299.99 (€1.349,00) on 12.05.2024 at 10:30; ISBN 978-3-16-148410-0; ' +
      'version 1.2.3.4; build 20241105.1; order #123456789; population 8 336 817; score 3-1; 48.8566, 2.3522.';
    assert.deepEqual(found(text), []);
  });

  test('numbers whose check digits fail are not reported', () => {
    assert.deepEqual(found('card 4111 1111 1111 1112, IBAN DE89 3704 0044 0532 0130 01, DNI 12345678A'), []);
    assert.deepEqual(found('BSN 123456789 and Steuer-ID 12345678901'), []);
  });

  test('bare 9–11 digit ids need a naming word nearby', () => {
    assert.deepEqual(found('reference 123456782'), []);
    assert.deepEqual(found('Het BSN is 123456782'), [['national_id', '123456782']]);
  });

  test('findings are sorted and never overlap', () => {
    const f = detectPii('a@b.example +44 20 7946 0958 4111111111111111 DE89370400440532013000 10.0.0.1');
    for (let i = 1; i < f.length; i++) assert.ok((f[i - 1]?.end ?? 0) <= (f[i]?.start ?? 0));
    assert.deepEqual(
      f.map((x) => x.kind),
      ['email', 'phone', 'card', 'iban', 'ip'],
    );
  });
});

describe('redactPii', () => {
  test('replaces every finding with its placeholder', () => {
    const r = redactPii('Write to ann@example.org or call +33 1 70 36 12 34; IBAN GB82WEST12345698765432.');
    assert.equal(r.text, 'Write to [EMAIL] or call [PHONE]; IBAN [IBAN].');
    assert.equal(r.findings.length, 3);
  });
});

/** A digit string completed with its Luhn check digit. */
function withLuhn(body: string): string {
  for (let d = 0; d < 10; d++) if (luhnValid(body + d)) return body + d;
  throw new Error('unreachable');
}

/** A German IBAN for an 18-digit BBAN, with computed check digits. */
function germanIban(bban: string): string {
  for (let c = 2; c < 99; c++) {
    const iban = `DE${String(c).padStart(2, '0')}${bban}`;
    if (ibanValid(iban)) return iban;
  }
  throw new Error('unreachable');
}

const digits = (n: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((a) => a.join(''));
const sentence = fc.constantFrom(
  'Please charge',
  'The customer gave us the number',
  'Payment details:',
  'Refund to',
  'Die Karte',
);

describe('properties', () => {
  test('Luhn-valid card numbers (Visa, Mastercard, Amex shapes, grouped or not) are always found', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('4', '51', '52', '55', '34', '37', '6011'),
        digits(14),
        fc.boolean(),
        sentence,
        (prefix, rest, grouped, lead) => {
          const len = prefix === '34' || prefix === '37' ? 15 : 16;
          const number = withLuhn((prefix + rest).slice(0, len - 1));
          const shown = grouped && len === 16 ? (number.match(/.{4}/g) ?? []).join(' ') : number;
          const f = detectPii(`${lead} ${shown} today.`);
          return f.length === 1 && f[0]?.kind === 'card' && f[0].text === shown;
        },
      ),
      { numRuns: 300 },
    );
  });

  test('valid German IBANs are always found, a changed check digit never as an IBAN', () => {
    fc.assert(
      fc.property(digits(18), (bban) => {
        const iban = germanIban(bban);
        const ok = detectPii(`IBAN ${iban} bitte.`);
        const broken = `${iban.slice(0, 2)}${iban[2] === '9' ? '0' : String(Number(iban[2]) + 1)}${iban.slice(3)}`;
        return ok.length === 1 && ok[0]?.kind === 'iban' && !detectPii(`IBAN ${broken}`).some((x) => x.kind === 'iban');
      }),
      { numRuns: 200 },
    );
  });

  test('years, prices and dates in prose are never findings', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1900, max: 2099 }),
        fc.integer({ min: 1, max: 99999 }),
        fc.integer({ min: 1, max: 28 }),
        fc.integer({ min: 1, max: 12 }),
        (year, price, day, month) => {
          const text = `In ${year} it cost $${price}.99 (${price},50 €), on ${day}.${month}.${year} and ${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}.`;
          return detectPii(text).length === 0;
        },
      ),
      { numRuns: 300 },
    );
  });

  test('redaction leaves no finding behind', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.constantFrom(
            'ann@example.org',
            '+44 20 7946 0958',
            '4111111111111111',
            'NL91ABNA0417164300',
            'plain words',
          ),
          { maxLength: 6 },
        ),
        (parts) => {
          const r = redactPii(parts.join(' and '));
          return detectPii(r.text).length === 0;
        },
      ),
    );
  });
});
