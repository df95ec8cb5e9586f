import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { guessLanguage, languageOfLocale, stopwordsFor } from './stopwords.ts';
import { foldWord, tokenize } from './words.ts';

describe('tokenize', () => {
  test('Unicode words with inner apostrophes and hyphens, numbers kept, offsets exact', () => {
    const text = 'Baden-Württemberg’s COVID-19 plan don’t cost 3.5bn — Ñandú, Straße, 東京.';
    const words = tokenize(text);
    assert.deepEqual(
      words.map((w) => w.text),
      ['Baden-Württemberg', 'COVID-19', 'plan', 'don’t', 'cost', '3.5bn', 'Ñandú', 'Straße', '東京'],
    );
    for (const w of words) assert.equal(text.slice(w.start, w.end), w.text);
    assert.equal(words[3]?.lower, "don't");
    assert.deepEqual(
      tokenize('Prices rose 2,5 %, to 35.000 euros. Then 3. Next.').map((w) => w.text),
      ['Prices', 'rose', '2,5', 'to', '35.000', 'euros', 'Then', '3', 'Next'],
    );
  });

  test('French and Italian elisions are split off, English possessives dropped', () => {
    assert.deepEqual(
      tokenize("l'économie d’Europe qu'il dell'Italia Merkel's").map((w) => w.lower),
      ['économie', 'europe', 'il', 'italia', 'merkel'],
    );
  });

  test('combining marks stay inside the word', () => {
    assert.deepEqual(
      tokenize('Cafe\u0301 crème').map((w) => w.text),
      ['Cafe\u0301', 'crème'],
    );
  });
});

describe('foldWord', () => {
  test('folds plural -s (and English -ies) in en/fr/es/pt only', () => {
    assert.equal(foldWord('pumps', 'en'), 'pump');
    assert.equal(foldWord('policies', 'en'), 'policy');
    assert.equal(foldWord('crisis', 'en'), 'crisis');
    assert.equal(foldWord('news', 'en'), 'news');
    assert.equal(foldWord('pistes', 'fr'), 'piste');
    assert.equal(foldWord('häuser', 'de'), 'häuser');
  });
});

describe('languages', () => {
  test('guesses the language from stopword hits', () => {
    const guess = (text: string) => guessLanguage(tokenize(text).map((w) => w.lower));
    assert.equal(guess('The minister said that the plan would be ready in the spring.'), 'en');
    assert.equal(guess('Die Bahn hat für Mittwoch einen neuen Streik angekündigt, teilte die Gewerkschaft mit.'), 'de');
    assert.equal(guess('La mairie de Paris a présenté un plan pour les pistes cyclables.'), 'fr');
    assert.equal(guess('España recibió más turistas que nunca, según los datos del instituto.'), 'es');
    assert.equal(guess('Il governo ha presentato il piano per le città della regione.'), 'it');
    assert.equal(guess('De gemeente heeft het plan voor de nieuwe fietspaden gepresenteerd.'), 'nl');
    assert.equal(guess('O governo apresentou um plano para as cidades do país, disse o ministro.'), 'pt');
    assert.equal(guess('東京 大阪'), 'en');
  });

  test('a known locale wins over the guess; unknown locales are ignored', () => {
    assert.equal(guessLanguage(['the', 'and'], 'de-AT'), 'de');
    assert.equal(languageOfLocale('pt_BR'), 'pt');
    assert.equal(languageOfLocale('ja'), undefined);
    assert.equal(guessLanguage(['die', 'und', 'der'], 'ja'), 'de');
  });

  test('other languages include the English stopwords; English does not include German ones', () => {
    assert.equal(stopwordsFor('de').has('the'), true);
    assert.equal(stopwordsFor('en').has('die'), false);
  });
});
