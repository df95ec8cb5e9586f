import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inlineToText, markdownToBlocks, markdownToPlainText } from './markdown.ts';

describe('markdownToBlocks', () => {
  test('headings (ATX and setext), paragraphs joined across lines, rules dropped', () => {
    const md = '# Big *news* today #\n\nFirst line\nsecond line.\n\nSetext title\n============\n\n***\n\nLast.';
    assert.deepEqual(markdownToBlocks(md), [
      { kind: 'heading', text: 'Big news today' },
      { kind: 'paragraph', text: 'First line second line.' },
      { kind: 'heading', text: 'Setext title' },
      { kind: 'paragraph', text: 'Last.' },
    ]);
  });

  test('lists: bullets, ordered, task boxes, lazy continuation lines', () => {
    const md = '- one\n* two\n+ [x] three\n  continued\n1. four\n2) five';
    assert.deepEqual(
      markdownToBlocks(md).map((b) => [b.kind, b.text]),
      [
        ['item', 'one'],
        ['item', 'two'],
        ['item', 'three continued'],
        ['item', 'four'],
        ['item', 'five'],
      ],
    );
  });

  test('blockquotes, nested and with list items, become quote blocks', () => {
    const md = '> quoted line\n> more\n>\n> > nested - still quoted\n> - quoted item\n\nAfter.';
    assert.deepEqual(
      markdownToBlocks(md).map((b) => [b.kind, b.text]),
      [
        ['quote', 'quoted line more'],
        ['quote', 'nested - still quoted'],
        ['quote', 'quoted item'],
        ['paragraph', 'After.'],
      ],
    );
  });

  test('fenced code (``` and ~~~), front matter, HTML comments and scripts disappear', () => {
    const md = [
      '---',
      'title: Front matter',
      'draft: true',
      '---',
      'Before.',
      '```ts',
      'const secret = "x";',
      '',
      'more code',
      '```',
      '~~~',
      'tilde code',
      '~~~',
      'After <!-- hidden --> text.',
      '<script>alert("x")</script>',
    ].join('\n');
    assert.equal(markdownToPlainText(md), 'Before.\n\nAfter text.');
  });

  test('tables become one block per row without the rule line', () => {
    const md = '| Name | Age |\n|------|----:|\n| Bob | 3 |\n\nName | Age\n--- | ---\nAnn | 4';
    assert.deepEqual(
      markdownToBlocks(md).map((b) => [b.kind, b.text]),
      [
        ['table', 'Name; Age'],
        ['table', 'Bob; 3'],
        ['table', 'Name; Age'],
        ['table', 'Ann; 4'],
      ],
    );
  });

  test('HTML block tags separate blocks and inline tags are stripped', () => {
    assert.deepEqual(
      markdownToBlocks('<p>One <b>bold</b> line.</p><p>Two<br>three</p><div class="x">Four</div>').map((b) => b.text),
      ['One bold line.', 'Two', 'three', 'Four'],
    );
  });

  test('CRLF line endings read like LF', () => {
    assert.equal(markdownToPlainText('# Title\r\n\r\nBody line\r\nnext.'), 'Title\n\nBody line next.');
  });

  test('empty and whitespace-only input give no blocks', () => {
    assert.deepEqual(markdownToBlocks(''), []);
    assert.deepEqual(markdownToBlocks('  \n\n\t\n'), []);
    assert.deepEqual(markdownToBlocks('```\nonly code\n```'), []);
  });
});

describe('inlineToText', () => {
  test('links become their text, images their alt text, autolinks their address', () => {
    assert.equal(
      inlineToText('See [the guide](https://x.com/a_(b) "T") and ![a chart](c.png) or <https://galley.dev>.'),
      'See the guide and a chart or https://galley.dev.',
    );
    assert.equal(inlineToText('Reference [link][ref] and [another][] one.'), 'Reference link and another one.');
    assert.equal(inlineToText('[![badge](b.svg)](https://ci)'), 'badge');
  });

  test('emphasis is removed but snake_case and lone symbols survive', () => {
    assert.equal(
      inlineToText('**bold** __strong__ *em* _em_ ~~gone~~ snake_case_name 2 * 3'),
      'bold strong em em gone snake_case_name 2 * 3',
    );
  });

  test('inline code is dropped without leaving a gap before punctuation', () => {
    assert.equal(inlineToText('Run `npm ci` first, then `npm test`.'), 'Run first, then.');
  });

  test('escapes and HTML entities are decoded to the characters they stand for', () => {
    assert.equal(
      inlineToText('\\*not em\\* &amp; &lt;tag&gt; &#x263A; &#8364; &eacute;'),
      '*not em* & <tag> ☺ € &eacute;',
    );
  });
});
