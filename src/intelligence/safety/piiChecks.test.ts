/** Check-digit validators: published test values pass, one changed digit fails. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  bsnValid,
  codiceFiscaleValid,
  dniValid,
  ibanValid,
  luhnValid,
  ninoValid,
  nirValid,
  ssnValid,
  steuerIdValid,
} from './piiChecks.ts';

const CASES: readonly [string, (s: string) => boolean, string, string][] = [
  ['Luhn', luhnValid, '4111111111111111', '4111111111111112'],
  ['IBAN DE', ibanValid, 'DE89370400440532013000', 'DE89370400440532013001'],
  ['IBAN GB', ibanValid, 'GB82WEST12345698765432', 'GB82WEST12345698765433'],
  ['IBAN FR', ibanValid, 'FR1420041010050500013M02606', 'FR1420041010050500013M02607'],
  ['IBAN NL', ibanValid, 'NL91ABNA0417164300', 'NL91ABNA0417164301'],
  ['SSN', ssnValid, '078051120', '666051120'],
  ['NINO', ninoValid, 'AB123456C', 'QQ123456C'],
  ['Steuer-ID', steuerIdValid, '12390978567', '12390978568'],
  ['NIR', nirValid, '269054958815780', '269054958815781'],
  ['DNI', dniValid, '12345678Z', '12345678A'],
  ['NIE', dniValid, 'X1234567L', 'X1234567M'],
  ['codice fiscale', codiceFiscaleValid, 'RSSMRA85T10A562S', 'RSSMRA85T10A562T'],
  ['BSN', bsnValid, '123456782', '123456783'],
];

for (const [name, check, good, bad] of CASES) {
  test(`${name}: ${good} valid, ${bad} not`, () => {
    assert.equal(check(good), true);
    assert.equal(check(bad), false);
  });
}

test('IBAN length must match the country', () => {
  assert.equal(ibanValid('DE8937040044053201300'), false);
  assert.equal(ibanValid('XX89370400440532013000'), false);
});

test('Steuer-ID needs exactly one repeated digit among the first ten', () => {
  assert.equal(steuerIdValid('12345678903'), false);
});
