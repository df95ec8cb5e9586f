import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { splitSentences } from './sentences.ts';

const texts = (text: string) => splitSentences(text).map((s) => s.text);

describe('splitSentences', () => {
  test('titles and abbreviations before names do not end a sentence', () => {
    assert.deepEqual(texts('Mr. Smith met Dr. Jones and Prof. Lee. They talked.'), [
      'Mr. Smith met Dr. Jones and Prof. Lee.',
      'They talked.',
    ]);
  });

  test('e.g., i.e. and dotted acronyms before a name stay inside the sentence', () => {
    assert.deepEqual(texts('Some fruit, e.g. Apples, sold well. The U.S. President spoke. It rained.'), [
      'Some fruit, e.g. Apples, sold well.',
      'The U.S. President spoke.',
      'It rained.',
    ]);
  });

  test('an abbreviation ends a sentence when a capitalized function word follows', () => {
    assert.deepEqual(texts('Prices rose in the U.S. The Fed reacted. Apple Inc. The company grew.'), [
      'Prices rose in the U.S.',
      'The Fed reacted.',
      'Apple Inc.',
      'The company grew.',
    ]);
  });

  test('decimals, versions, domains and initials', () => {
    assert.deepEqual(texts('Growth was 3.5 percent. Version 2.0 ships at example.com today. J. K. Rowling agreed.'), [
      'Growth was 3.5 percent.',
      'Version 2.0 ships at example.com today.',
      'J. K. Rowling agreed.',
    ]);
  });

  test('quotes and ellipses: a lower-case continuation stays in the sentence', () => {
    assert.deepEqual(texts('"Is it true?" she asked. "Yes!" He paused... then left. Wait… The end.'), [
      '"Is it true?" she asked.',
      '"Yes!"',
      'He paused... then left.',
      'Wait…',
      'The end.',
    ]);
  });

  test('German ordinals before months and abbreviations like z. B. and ca.', () => {
    assert.deepEqual(
      texts('Der Streik beginnt am 3. Oktober. Das gilt z. B. für Berlin. Es kostet ca. 5 Euro. Fertig.'),
      ['Der Streik beginnt am 3. Oktober.', 'Das gilt z. B. für Berlin.', 'Es kostet ca. 5 Euro.', 'Fertig.'],
    );
  });

  test('French spacing before punctuation and guillemets, Spanish inverted marks', () => {
    assert.deepEqual(texts('« Est-ce vrai ? » demanda-t-il. Oui ! M. Macron a parlé.'), [
      '« Est-ce vrai ? » demanda-t-il.',
      'Oui !',
      'M. Macron a parlé.',
    ]);
    assert.deepEqual(texts('¿Qué pasa? ¡Nada! El Sr. García llegó.'), ['¿Qué pasa?', '¡Nada!', 'El Sr. García llegó.']);
  });

  test('CJK full stops end sentences without a following space', () => {
    assert.deepEqual(texts('今日は晴れです。明日は雨です。'), ['今日は晴れです。', '明日は雨です。']);
  });

  test('line breaks always end a sentence, and text without a terminator is one sentence', () => {
    assert.deepEqual(texts('A heading\nThe body goes on'), ['A heading', 'The body goes on']);
  });

  test('offsets point at the sentence in the original text, shifted by the given offset', () => {
    const text = '  First one.   Second one!\n\nThird?  ';
    for (const s of splitSentences(text, 10)) assert.equal(text.slice(s.start - 10, s.end - 10), s.text);
    assert.deepEqual(splitSentences('', 0), []);
  });
});
