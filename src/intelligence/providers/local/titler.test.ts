import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ARTICLES, BAHN_STREIK, HEAT_PUMPS, MARS_ROVER, SHORT, TITLE_ONLY } from './articles.fixture.ts';
import { balanceQuotes, headlineOf, titleCase } from './headlines.ts';
import { titleOptions, titlesTask } from './titler.ts';

const numbersIn = (text: string) => text.match(/\d+(?:[.,]\d+)*/g) ?? [];

describe('titler', () => {
  test('three to five distinct candidates of at most 140 characters for a full story', () => {
    for (const article of ARTICLES.filter((a) => a.body.length > 500)) {
      const { titles } = titlesTask(article);
      assert.ok(titles.length >= 3 && titles.length <= 5, `${article.name}: ${titles.length}`);
      assert.equal(new Set(titles.map((t) => t.toLowerCase())).size, titles.length, 'distinct');
      for (const t of titles) assert.ok(t.length > 0 && t.length <= 140, t);
      assert.ok(!titles.includes(article.title), 'the current title is not suggested back');
    }
  });

  test('candidates invent no numbers: every figure appears in the entry', () => {
    for (const article of ARTICLES) {
      const source = `${article.title} ${article.body}`;
      for (const title of titlesTask(article).titles) {
        for (const n of numbersIn(title)) assert.ok(source.includes(n), `${n} in "${title}"`);
      }
    }
  });

  test('the lead sentence comes first, without dateline or final period', () => {
    const [first] = titlesTask(HEAT_PUMPS).titles;
    assert.equal(first, "Germany's parliament on Thursday approved a €3.5 billion subsidy programme for heat pumps");
  });

  test('a quotation keeps the quoted words; inserted clauses go when the sentence is too long', () => {
    const titles = titlesTask(HEAT_PUMPS).titles;
    assert.ok(titles.includes('Demand for heat pumps collapsed last year because nobody knew which rules would apply'));
    const vogel =
      'Dr. Martin Vogel, an economist at the DIW institute, estimated that a typical family would save about €600 a year on heating bills once the heat pump is installed, e.g. in a well-insulated terraced house.';
    assert.equal(
      headlineOf(vogel, 100),
      'Dr. Martin Vogel estimated that a typical family would save about €600 a year on heating bills',
    );
  });

  test('English key-phrase headlines are title-cased; German ones keep the source case', () => {
    assert.ok(titlesTask(MARS_ROVER).titles.some((t) => /^Ancient Lake: /.test(t)));
    const german = titlesTask(BAHN_STREIK).titles;
    assert.ok(
      german.every((t) => !/Für|Bei|Der Deutschen/.test(t)),
      german.join('\n'),
    );
  });

  test('knobs: maxTitles and maxChars (a degraded version gets fewer, clipped candidates)', () => {
    assert.equal(titlesTask(HEAT_PUMPS, { maxTitles: 1 }).titles.length, 1);
    const clipped = titlesTask(HEAT_PUMPS, { maxChars: 20 }).titles;
    for (const t of clipped) assert.ok(t.length <= 20, t);
    assert.deepEqual(titleOptions({ maxTitles: 9, maxChars: 'x' }), { maxTitles: 5, maxChars: 100 });
  });

  test('short and title-only entries still get at least one candidate', () => {
    assert.deepEqual(titlesTask(SHORT).titles, [
      'The A7 bridge near Hamburg is closed until Friday after a lorry crash',
    ]);
    assert.deepEqual(titlesTask(TITLE_ONLY).titles, [TITLE_ONLY.title]);
  });
});

describe('headlines', () => {
  test('drop datelines, trailing attribution and leading sources', () => {
    assert.equal(
      headlineOf('LONDON — Rail fares will rise by 4.9% in March, the government said.', 100),
      'Rail fares will rise by 4.9% in March',
    );
    assert.equal(
      headlineOf(
        'According to the ministry, a record 85 million tourists visited the country last year and spent more than ever before on hotels.',
        100,
      ),
      'A record 85 million tourists visited the country last year and spent more than ever before on hotels',
    );
  });

  test('drop a name in apposition before cutting', () => {
    assert.equal(
      headlineOf(
        'El candidato del Partido Regionalista de Valdoria, Andrés Quiroga, se reunió el miércoles con la líder de Los Verdes.',
        90,
      ),
      'El candidato del Partido Regionalista de Valdoria se reunió el miércoles con la líder',
    );
  });

  test('cut long sentences at a clause boundary, skipping an opening subordinate clause', () => {
    const text =
      'After months of talks between the parties, the coalition agreed on the budget, which includes new spending on schools and hospitals across the country.';
    assert.equal(headlineOf(text, 90), 'After months of talks between the parties, the coalition agreed on the budget');
  });

  test('balance quotes and title-case English', () => {
    assert.equal(balanceQuotes('“Unfinished quote'), 'Unfinished quote');
    assert.equal(balanceQuotes('"half'), 'half');
    assert.equal(
      titleCase('rise of the machines: a guide to AI in the newsroom'),
      'Rise of the Machines: A Guide to AI in the Newsroom',
    );
  });
});
