import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ARTICLES,
  BAHN_STREIK,
  HEAT_PUMPS,
  MARS_ROVER,
  PARIS_VELO,
  RELEASE_NOTES,
  SHORT,
  TITLE_ONLY,
  TURISMO,
} from './articles.fixture.ts';
import { summarize, summaryOptions, summaryTask } from './summarizer.ts';
import { analyze } from './text.ts';

const sentencesOf = (input: Parameters<typeof analyze>[0], knobs?: Parameters<typeof summaryOptions>[0]) => {
  const analysis = analyze(input);
  return { analysis, result: summarize(analysis, summaryOptions(knobs)) };
};

describe('summarizer', () => {
  test('a news story: the lead first, then the most central sentences, in source order', () => {
    const { analysis, result } = sentencesOf(HEAT_PUMPS);
    assert.equal(result.sentences.length, 3, 'a long story gets three sentences');
    assert.match(result.sentences[0] ?? '', /^Germany's parliament on Thursday approved a €3\.5 billion subsidy/);
    const positions = result.sentences.map((s) => analysis.plain.indexOf(s));
    assert.deepEqual(
      [...positions].sort((a, b) => a - b),
      positions,
      'kept in source order',
    );
    for (const p of positions) assert.ok(p >= 0, 'every sentence is a sentence of the text');
    assert.equal(result.summary, result.sentences.join(' '));
  });

  test('the dateline of a wire story is left out', () => {
    assert.doesNotMatch(summaryTask(HEAT_PUMPS).summary, /BERLIN|Reuters/);
  });

  test('the number of sentences scales with length: three beyond eight sentences, else two', () => {
    assert.equal(sentencesOf(MARS_ROVER).result.sentences.length, 3);
    assert.equal(sentencesOf(PARIS_VELO).result.sentences.length, 2);
  });

  test('German, French and Spanish stories are summarized in their own words', () => {
    assert.match(
      summaryTask(BAHN_STREIK).summary,
      /^Die Lokführergewerkschaft GDL hat für Mittwoch einen neuen Streik/,
    );
    assert.match(summaryTask(PARIS_VELO).summary, /^La mairie de Paris a présenté mardi un plan de 250 millions/);
    assert.match(summaryTask(TURISMO).summary, /^España recibió 85 millones de turistas/);
  });

  test('headings, table rows and code never make it into a summary', () => {
    const summary = summaryTask(RELEASE_NOTES).summary;
    assert.match(summary, /^Galley 2\.4 adds scheduled publishing/);
    assert.doesNotMatch(summary, /migrate --check|stable|author:|\|/);
  });

  test('a body shorter than the summary is the summary; an empty body gives the title', () => {
    assert.equal(summaryTask(SHORT).summary, SHORT.body);
    assert.equal(summaryTask(TITLE_ONLY).summary, TITLE_ONLY.title);
  });

  test('maxChars bounds the summary: fewer sentences first, a cut sentence only when one alone is too long', () => {
    const bounded = summaryTask(HEAT_PUMPS, { maxChars: 300 }).summary;
    assert.ok(bounded.length <= 300);
    assert.ok(!bounded.endsWith('…'), 'whole sentences when one fits');
    const tiny = summaryTask(HEAT_PUMPS, { maxChars: 20 }).summary;
    assert.ok(tiny.length <= 20 && tiny.endsWith('…'), tiny);
    assert.equal(summaryTask(HEAT_PUMPS, { maxChars: 5000 }).summary, summaryTask(HEAT_PUMPS).summary);
  });

  test('knobs: sentences chooses how many, 0 degrades to the title, lead takes the first ones', () => {
    assert.equal(sentencesOf(HEAT_PUMPS, { sentences: 1 }).result.sentences.length, 1);
    assert.equal(sentencesOf(HEAT_PUMPS, { sentences: 5, maxChars: 1200 }).result.sentences.length, 5);
    assert.equal(summaryTask(HEAT_PUMPS, { sentences: 0 }).summary, HEAT_PUMPS.title);
    const lead = sentencesOf(MARS_ROVER, { strategy: 'lead', sentences: 2 }).result.sentences;
    assert.deepEqual(lead, [
      analyze(MARS_ROVER).sentences[0]?.text,
      'The rocks contain clay minerals and carbonates, which form in water and can preserve traces of microbial life.',
    ]);
    assert.deepEqual(summaryOptions({ sentences: 'many', maxChars: -3, strategy: 'random' }), {
      sentences: 2,
      maxChars: 1,
      minChars: 0,
      strategy: 'rank',
    });
  });

  test('minChars adds sentences while the summary is shorter, within maxChars', () => {
    const one = sentencesOf(PARIS_VELO, { sentences: 1 }).result;
    const padded = sentencesOf(PARIS_VELO, { sentences: 1, minChars: one.summary.length + 1, maxChars: 1200 }).result;
    assert.equal(one.sentences.length, 1);
    assert.equal(padded.sentences.length, 2);
    assert.ok(padded.summary.length > one.summary.length);
    const capped = sentencesOf(PARIS_VELO, { sentences: 1, minChars: 1200, maxChars: 400 }).result;
    assert.ok(capped.summary.length <= 400 && capped.sentences.length >= 2);
  });

  test('a short list joins the paragraph that introduces it, so the sentence stands on its own', () => {
    const { summary } = summaryTask({
      title: 'Measles: what parents need to know about the MMR vaccine',
      body: 'Measles is one of the most contagious diseases known.\n\nThe health board recommends two doses of the MMR vaccine:\n\n1. the first dose at 12 months\n2. the second dose at three years\n\nSerious reactions to the vaccine are very rare, and side effects pass within days.',
      tags: [],
    });
    assert.match(
      summary,
      /two doses of the MMR vaccine: the first dose at 12 months; the second dose at three years\./,
    );
  });

  test('every fixture yields a non-empty summary within 1200 characters', () => {
    for (const article of ARTICLES) {
      const { summary } = summaryTask(article);
      assert.ok(summary.length > 0 && summary.length <= 1200, article.name);
    }
  });
});
