import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ARTICLES,
  BAHN_STREIK,
  HEAT_PUMPS,
  MARS_ROVER,
  PARIS_VELO,
  RELEASE_NOTES,
  TITLE_ONLY,
  TURISMO,
} from './articles.fixture.ts';
import { stopwordsFor } from './stopwords.ts';
import { tagsTask } from './tagger.ts';

describe('tagger', () => {
  test('key phrases of an English story, multiword phrases kept whole', () => {
    const { tags } = tagsTask(HEAT_PUMPS);
    assert.equal(tags[0], 'heat pump');
    assert.ok(tags.includes('subsidy'), tags.join());
    assert.ok(!tags.includes('heat') && !tags.includes('pump'), 'no fragments of a chosen phrase');
    assert.ok(tagsTask(MARS_ROVER).tags.includes('ancient lake'));
    assert.ok(tagsTask(RELEASE_NOTES).tags.includes('scheduled publishing'));
  });

  test('existing tags the text mentions come first; tags it never mentions are dropped', () => {
    const { tags } = tagsTask({ ...HEAT_PUMPS, tags: ['subsidy', 'sport', 'energy'] });
    assert.equal(tags[0], 'subsidy');
    assert.ok(!tags.includes('sport') && !tags.includes('energy'));
    assert.deepEqual(tagsTask(BAHN_STREIK).tags.slice(0, 2), ['bahn', 'streik']);
    assert.equal(tagsTask(PARIS_VELO).tags[0], 'vélo');
  });

  test('German, French and Spanish stories get tags in their language', () => {
    assert.ok(tagsTask(BAHN_STREIK).tags.includes('lokführergewerkschaft gdl'));
    assert.ok(tagsTask(PARIS_VELO).tags.includes('pistes cyclables'));
    const spanish = tagsTask(TURISMO).tags;
    assert.ok(spanish.includes('turismo') && spanish.includes('estados unidos'), spanish.join());
  });

  test('tags are lower-case, distinct, without stopwords or numbers, at most six by default', () => {
    for (const article of ARTICLES) {
      const { tags } = tagsTask(article);
      assert.ok(tags.length <= 6, article.name);
      assert.equal(new Set(tags).size, tags.length);
      const stop = stopwordsFor('en');
      for (const tag of tags) {
        assert.equal(tag, tag.toLowerCase());
        assert.ok(!/^\d+$/.test(tag) && !stop.has(tag), `${article.name}: ${tag}`);
        assert.ok(tag.length <= 40);
      }
    }
  });

  test('figures never become tags, even with a unit attached', () => {
    const { tags } = tagsTask({
      title: 'Chipmaker plans $2.1bn plant',
      body: 'The chipmaker will spend $2.1bn on a 5G chip plant. The 2.1bn plan creates 1,200 jobs at the chip plant.',
      tags: [],
    });
    assert.ok(tags.includes('chip plant'), tags.join());
    for (const tag of tags) assert.doesNotMatch(tag, /\d/);
  });

  test('maxTags knob: 0 gives none, a larger value gives more', () => {
    assert.deepEqual(tagsTask(HEAT_PUMPS, { maxTags: 0 }).tags, []);
    assert.equal(tagsTask(HEAT_PUMPS, { maxTags: 1 }).tags.length, 1);
    assert.equal(tagsTask(HEAT_PUMPS, { maxTags: 10 }).tags.length, 10);
  });

  test('a title-only entry is tagged from its title', () => {
    assert.deepEqual(tagsTask(TITLE_ONLY).tags, ['city', 'council', 'elects', 'mayor']);
  });
});
