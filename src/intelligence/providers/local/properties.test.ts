/** Properties of galley-local-1 over generated entries: valid, deterministic, extractive, bounded. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { Value } from 'typebox/value';
import { TASK_NAMES, TASK_OUTPUT_SCHEMAS, type TaskInput } from '../../tasks.ts';
import type { Knobs } from './knobs.ts';
import { createLocalProvider, LOCAL_MODEL, runLocalTask } from './localProvider.ts';
import { seoOptions } from './seoDescriber.ts';
import { summarize, summaryOptions } from './summarizer.ts';
import { tagsTask } from './tagger.ts';
import { analyze } from './text.ts';
import { tokenize } from './words.ts';

const WORDS = [
  'heat',
  'pumps',
  'Heat',
  'Germany',
  'the',
  'and',
  'Mr.',
  'Dr.',
  'e.g.',
  'U.S.',
  'Inc.',
  '3.5',
  '2024',
  '70%',
  'Straße',
  'Lokführer',
  'économie',
  "l'été",
  'España',
  '¿Qué',
  '¡Sí!',
  '東京。',
  'said',
  'die',
  'und',
  'le',
  'anna@example.com',
  '+49 30 1234567',
  '😀',
  'ﬁ',
  'e\u0301',
  'O’Brien’s',
  'covid-19',
  'A',
  'I',
];
const MARKUP = [
  '\n',
  '\n\n',
  '# ',
  '## ',
  '- ',
  '1. ',
  '> ',
  '**',
  '*',
  '_',
  '`',
  '```\n',
  '~~~',
  '[link](http://x.y)',
  '![alt](a.png)',
  '<b>',
  '</p>',
  '<br>',
  '&amp;',
  '&#x263A;',
  '|',
  '---\n',
  '. ',
  '! ',
  '? ',
  ', ',
  '…',
  '...',
  '"',
  '«',
  '»',
  '(',
  ')',
  ':',
  ' – ',
  '\\',
  '---\ntitle: x\n---\n',
];

const piece = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...WORDS) },
  { weight: 4, arbitrary: fc.constantFrom(...MARKUP) },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
);
const text = (maxLength: number) =>
  fc
    .array(fc.tuple(piece, fc.constantFrom(' ', ' ', '', '\n')), { maxLength })
    .map((parts) => parts.map(([p, s]) => p + s).join(''));

const input: fc.Arbitrary<TaskInput> = fc.record({
  title: text(12),
  body: text(120),
  tags: fc.array(fc.oneof(fc.constantFrom('heat', 'pumps', 'heat pumps', 'mr', 'c++'), fc.string({ maxLength: 12 })), {
    maxLength: 5,
  }),
  locale: fc.option(fc.constantFrom('en', 'de', 'fr-CA', 'xx'), { nil: undefined }),
  context: fc.array(
    fc.record({
      entryId: fc.string({ maxLength: 6 }),
      title: text(8),
      snippet: text(20),
      score: fc.double({ noNaN: true }),
    }),
    { maxLength: 6 },
  ),
});

const KNOB_NAMES = ['sentences', 'maxChars', 'minChars', 'maxTags', 'maxTitles', 'maxRelated', 'minScore', 'strategy'];
const knobs: fc.Arbitrary<Knobs> = fc.dictionary(
  fc.constantFrom(...KNOB_NAMES),
  fc.oneof(
    fc.integer({ min: -5, max: 2000 }),
    fc.double(),
    fc.string({ maxLength: 5 }),
    fc.boolean(),
    fc.constant('lead'),
  ),
);

const readable = (i: TaskInput) => i.title.trim() !== '' || i.body.trim() !== '';

describe('galley-local-1 properties', () => {
  test('any entry and any knobs: every task gives schema-valid output, the same output twice', async () => {
    const provider = createLocalProvider();
    await fc.assert(
      fc.asyncProperty(input, knobs, async (entry, local) => {
        for (const task of TASK_NAMES) {
          const request = {
            model: LOCAL_MODEL,
            task,
            messages: [],
            input: entry,
            params: { maxOutputTokens: 400, local },
            outputSchema: TASK_OUTPUT_SCHEMAS[task],
            signal: new AbortController().signal,
          };
          if (!readable(entry)) {
            await assert.rejects(provider.complete(request), /empty input/);
            continue;
          }
          const first = await provider.complete(request);
          const output: unknown = JSON.parse(first.text);
          assert.ok(Value.Check(TASK_OUTPUT_SCHEMAS[task], output), `${task}: ${first.text}`);
          assert.equal((await provider.complete(request)).text, first.text);
        }
      }),
      { numRuns: 150 },
    );
  });

  test('summary sentences are sentences of the plain text (or the title), cut ones marked with …', () => {
    fc.assert(
      fc.property(input, knobs, (entry, local) => {
        fc.pre(readable(entry));
        const analysis = analyze(entry);
        for (const sentence of summarize(analysis, summaryOptions(local)).sentences) {
          const stem = sentence.endsWith('…') ? sentence.slice(0, -1) : sentence;
          assert.ok(analysis.plain.includes(stem) || analysis.title.includes(stem), JSON.stringify({ sentence }));
        }
      }),
      { numRuns: 300 },
    );
  });

  test('SEO descriptions stay within the bounds the knobs set', () => {
    fc.assert(
      fc.property(input, knobs, (entry, local) => {
        fc.pre(readable(entry));
        const { description } = runLocalTask('seo', entry, local) as { description: string };
        // The schema counts code points; a single astral character may exceed a 1-unit limit in UTF-16 only.
        const length = [...description].length;
        assert.ok(length >= 1 && length <= seoOptions(local).maxChars, description);
      }),
      { numRuns: 300 },
    );
  });

  test('tags are made of the words of the entry', () => {
    fc.assert(
      fc.property(input, knobs, (entry, local) => {
        fc.pre(readable(entry));
        const analysis = analyze(entry);
        const words = new Set(tokenize(`${analysis.title}\n${analysis.plain}`).map((w) => w.lower));
        for (const tag of tagsTask(entry, local).tags) {
          for (const w of tokenize(tag)) assert.ok(words.has(w.lower), `${tag} / ${w.lower}`);
        }
      }),
      { numRuns: 300 },
    );
  });

  test('related entries come from the context, best first, at or above minScore', () => {
    fc.assert(
      fc.property(input, knobs, (entry, local) => {
        fc.pre(readable(entry));
        const { related } = runLocalTask('related', entry, local) as { related: { entryId: string; score: number }[] };
        const ids = new Set((entry.context ?? []).map((d) => d.entryId));
        for (const r of related) assert.ok(ids.has(r.entryId) && r.score > 0);
        assert.deepEqual(
          related.map((r) => r.score),
          [...related.map((r) => r.score)].sort((a, b) => b - a),
        );
      }),
      { numRuns: 200 },
    );
  });
});
