import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ARTICLES, BAHN_STREIK, HEAT_PUMPS, SHORT, TITLE_ONLY } from './articles.fixture.ts';
import { seoOptions, seoTask } from './seoDescriber.ts';
import { analyze } from './text.ts';

describe('seoDescriber', () => {
  test('50 to 155 characters for every story with enough text', () => {
    for (const article of ARTICLES.filter((a) => a.body.length > 200)) {
      const { description } = seoTask(article);
      assert.ok(description.length >= 50 && description.length <= 155, `${article.name}: ${description.length}`);
      assert.doesNotMatch(description, /\n|\s{2}/);
    }
  });

  test('a long best sentence is cut at a word boundary with an ellipsis, nothing dangling', () => {
    const { description } = seoTask(HEAT_PUMPS);
    assert.ok(description.endsWith('…'), description);
    const stem = description.slice(0, -1);
    assert.doesNotMatch(stem, /[\s,;:(–—-]$/u);
    const plain = analyze(HEAT_PUMPS).plain;
    const at = plain.indexOf(stem);
    assert.ok(at >= 0, 'the description is a prefix of a sentence');
    assert.match(plain.charAt(at + stem.length), /[\s,.;:]/u, 'cut at a word boundary');
  });

  test('a complete sentence that fits is used as is', () => {
    assert.equal(
      seoTask(BAHN_STREIK).description,
      'Die Lokführergewerkschaft GDL hat für Mittwoch einen neuen Streik bei der Deutschen Bahn angekündigt.',
    );
  });

  test('short input: as long as the text allows, the title leading', () => {
    assert.equal(seoTask(SHORT).description, SHORT.body);
    assert.equal(seoTask(TITLE_ONLY).description, TITLE_ONLY.title);
    assert.equal(seoTask({ title: 'Hi', body: 'Short.', tags: [] }).description, 'Hi: Short.');
  });

  test('knobs: a degraded maxChars of 20 gives a clipped description; bounds are clamped', () => {
    const { description } = seoTask(HEAT_PUMPS, { maxChars: 20 });
    assert.ok(description.length <= 20 && description.length > 0, description);
    assert.deepEqual(seoOptions({ maxChars: 400 }), { maxChars: 160, minChars: 50 });
    assert.deepEqual(seoOptions({ maxChars: 30 }), { maxChars: 30, minChars: 30 });
  });
});
