/** The shared web-search syntax: what each query means, and that nothing user-typed reaches FTS5 unquoted. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { SearchQueryError } from './port.ts';
import { parseSearchQuery, toFts5Expression } from './queryParser.ts';

const parse = (q: string) => parseSearchQuery(q).groups.map((g) => ({ include: g.include, exclude: g.exclude }));

describe('search query syntax', () => {
  test('words are ANDed, phrases kept together, exclusions separated', () => {
    assert.deepEqual(parse('Quick  "brown Fox" -lazy'), [
      { include: [['quick'], ['brown', 'fox']], exclude: [['lazy']] },
    ]);
    assert.deepEqual(parse('-"big dog" cat'), [{ include: [['cat']], exclude: [['big', 'dog']] }]);
    assert.deepEqual(parse('a - b'), [{ include: [['a']], exclude: [['b']] }]);
    assert.deepEqual(parse('foo-bar'), [{ include: [['foo', 'bar']], exclude: [] }]);
    assert.deepEqual(parse('"unterminated phrase'), [{ include: [['unterminated', 'phrase']], exclude: [] }]);
  });

  test('or splits groups only between terms, binding looser than AND', () => {
    assert.deepEqual(parse('a b or c'), [
      { include: [['a'], ['b']], exclude: [] },
      { include: [['c']], exclude: [] },
    ]);
    assert.deepEqual(parse('or a'), [{ include: [['or'], ['a']], exclude: [] }]);
    assert.deepEqual(parse('a or'), [{ include: [['a'], ['or']], exclude: [] }]);
    assert.deepEqual(parse('a OR or b'), [
      { include: [['a']], exclude: [] },
      { include: [['or'], ['b']], exclude: [] },
    ]);
  });

  test('unsearchable input is dropped; nothing left, pure exclusion or too many terms is refused', () => {
    assert.deepEqual(parse('NEAR(a* : b)'), [{ include: [['near', 'a'], ['b']], exclude: [] }]);
    for (const q of ['', '  ', '*', '-a', 'a or -b', '"" ()', 'x '.repeat(33)]) {
      assert.throws(() => parseSearchQuery(q), SearchQueryError, JSON.stringify(q.slice(0, 20)));
    }
  });

  test('the FTS5 expression quotes every term', () => {
    assert.equal(toFts5Expression(parseSearchQuery('a "b c" -d or e')), '(("a" AND "b c") NOT ("d")) OR ("e")');
    assert.equal(toFts5Expression(parseSearchQuery('NOT AND "x" OR')), '("not" AND "and" AND "x" AND "or")');
  });

  test('any string parses or is refused with SearchQueryError, and quotes stay balanced', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (q) => {
        try {
          const expression = toFts5Expression(parseSearchQuery(q));
          assert.equal((expression.match(/"/g) ?? []).length % 2, 0);
        } catch (error) {
          if (!(error instanceof SearchQueryError)) throw error;
        }
      }),
      { numRuns: 500 },
    );
  });
});
