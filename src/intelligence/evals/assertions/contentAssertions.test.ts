/**
 * faithfulness, similar, no-pii, pii-spans, ranked-ids and llm-rubric: pass, fail and edge cases. The judge is
 * exercised through the real OpenAI adapter against the local model server (test/support/modelServer.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ModelServer, startModelServer } from '../../../../test/support/modelServer.ts';
import { loadConfig } from '../../../config/config.ts';
import { createLocalProvider } from '../../providers/local/localProvider.ts';
import { openProviders } from '../../providers/openProviders.ts';
import type { TaskInput } from '../../tasks.ts';
import { createJudge, parseVerdict } from '../judge.ts';
import { NO_JUDGE_NOTICE } from './llmRubric.ts';
import { detectPii } from './piiPatterns.ts';
import { check, SAMPLE_INPUT } from './testing.ts';

const summary = (text: string) => ({ summary: text });

describe('faithfulness', () => {
  test('an extractive or closely paraphrased summary passes', async () => {
    const extractive = await check(
      { type: 'faithfulness' },
      summary('Riverton City Council approved a £48 million budget on Tuesday.'),
    );
    assert.equal(extractive.pass, true, extractive.reason);
    assert.equal(extractive.score, 1);
    const paraphrase = await check(
      { type: 'faithfulness' },
      summary('The budget of £48 million passed by 27 votes to 19 in Riverton.'),
    );
    assert.equal(paraphrase.pass, true, paraphrase.reason);
  });

  test('an invented figure fails even when every word is supported', async () => {
    const result = await check(
      { type: 'faithfulness' },
      summary('Riverton City Council approved a £52 million budget.'),
    );
    assert.equal(result.pass, false);
    assert.match(result.reason, /figures not in source: 52/);
    assert.ok(result.score <= 0.5);
  });

  test('figures match across 1,200 / 1.200 / 1200 and 3,5 / 3.5', async () => {
    const input: TaskInput = {
      title: 'Zahlen',
      body: 'Es kamen 1.200 Menschen, der Preis stieg um 3,5 Prozent.',
      tags: [],
    };
    const result = await check(
      { type: 'faithfulness' },
      summary('Es kamen 1,200 Menschen; der Preis stieg um 3.5 Prozent.'),
      { input },
    );
    assert.equal(result.pass, true, result.reason);
  });

  test('an invented name fails; inflected words count as supported', async () => {
    const name = await check(
      { type: 'faithfulness' },
      summary('Council leader Amira Okafor and mayor John Smith approved the budget.'),
    );
    assert.equal(name.pass, false);
    assert.match(name.reason, /names not in source: John, Smith/);
    const inflected = await check({ type: 'faithfulness' }, summary('The councils approve budgets.'));
    assert.equal(inflected.pass, true, inflected.reason);
  });

  test('invented claims lower the support below minSupport; allow lists accepted words', async () => {
    const claim = await check(
      { type: 'faithfulness' },
      summary('Protesters stormed parliament demanding immediate resignations everywhere.'),
    );
    assert.equal(claim.pass, false);
    assert.match(claim.reason, /support 0\.\d+ < 0.8/);
    const allowed = await check(
      { type: 'faithfulness', allow: ['John', 'Smith'] },
      summary('Council leader Amira Okafor and John Smith approved the budget.'),
    );
    assert.equal(allowed.pass, true, allowed.reason);
  });

  test('an empty output has nothing unfaithful in it', async () => {
    assert.equal((await check({ type: 'faithfulness' }, summary(''))).pass, true);
  });
});

describe('similar', () => {
  const reference = 'Riverton City Council approved a £48 million budget by 27 votes to 19.';

  test('overlap F1 passes a close paraphrase and fails an unrelated text', async () => {
    const close = await check(
      { type: 'similar', value: reference },
      summary('The Riverton council approved its £48 million budget.'),
    );
    assert.equal(close.pass, true, close.reason);
    const far = await check(
      { type: 'similar', value: reference },
      summary('Sparta Westhaven won the derby against Oosterdijk.'),
    );
    assert.equal(far.pass, false);
    assert.equal(far.score, 0);
  });

  test('several references: the best one counts; bm25 weighs rare words', async () => {
    const best = await check(
      { type: 'similar', value: ['unrelated words entirely', reference], threshold: 0.6 },
      summary(reference),
    );
    assert.equal(best.score, 1);
    const bm25 = await check(
      { type: 'similar', value: reference, method: 'bm25', threshold: 0.3 },
      summary('Council approved budget £48 million.'),
    );
    assert.equal(bm25.pass, true, bm25.reason);
    const bm25Far = await check(
      { type: 'similar', value: reference, method: 'bm25' },
      summary('Weather tomorrow is sunny.'),
    );
    assert.equal(bm25Far.score, 0);
  });
});

describe('no-pii', () => {
  test('finds e-mail, phone, IBAN and card numbers', () => {
    const kinds = detectPii(
      'Mail a.b@example.org, call +44 7700 900461 or 030 1234 5678, pay DE89 3704 0044 0532 0130 00 by 4111 1111 1111 1111.',
    ).map((s) => s.kind);
    assert.deepEqual(kinds, ['email', 'phone', 'phone', 'iban', 'card']);
  });

  test('newsroom figures are not personal data', () => {
    const text = 'Attendance 9,400; budget £48,000,000; 1998–2004; score 3-1; on 14-02-2026 at 14.30; 2,300,000 votes.';
    assert.deepEqual(detectPii(text), []);
    assert.deepEqual(detectPii('Card 4111 1111 1111 1112 fails Luhn; GB00 WEST 1234 5698 7654 32 fails mod 97.'), []);
  });

  test('passes clean text, fails personal data, honours allow', async () => {
    assert.equal((await check({ type: 'no-pii' }, summary('The council approved the budget.'))).pass, true);
    const found = await check({ type: 'no-pii' }, summary('Write to jo@example.org.'));
    assert.equal(found.pass, false);
    assert.match(found.reason, /email "jo@example.org"/);
    assert.equal(
      (await check({ type: 'no-pii', allow: ['jo@example.org'] }, summary('Write to jo@example.org.'))).pass,
      true,
    );
  });
});

describe('pii-spans', () => {
  const expected = [{ text: 'jo@example.org' }, { text: '07700 900461' }];
  const output = (texts: string[]) => ({
    findings: texts.map((text) => ({ kind: 'x', text, start: 0, end: text.length })),
    redacted: '',
  });

  test('all found and nothing else: pass with F1 1', async () => {
    const result = await check({ type: 'pii-spans', value: expected }, output(['jo@example.org', '07700 900461']), {
      task: 'pii',
    });
    assert.equal(result.pass, true, result.reason);
    assert.equal(result.score, 1);
  });

  test('a missed span fails recall; a redacted score fails precision', async () => {
    const missed = await check({ type: 'pii-spans', value: expected }, output(['jo@example.org']), { task: 'pii' });
    assert.equal(missed.pass, false);
    assert.match(missed.reason, /missed \["07700 900461"\]/);
    const extra = await check({ type: 'pii-spans', value: [] }, output(['3-1']), { task: 'pii' });
    assert.equal(extra.pass, false);
    assert.match(extra.reason, /unexpected \["3-1"\]/);
    assert.equal((await check({ type: 'pii-spans', value: [] }, output([]), { task: 'pii' })).pass, true);
  });

  test('kinds must agree when given; offsets are checked on request', async () => {
    const kind = await check(
      { type: 'pii-spans', value: [{ text: 'jo@example.org', kind: 'email' }] },
      output(['jo@example.org']),
      {
        task: 'pii',
      },
    );
    assert.equal(kind.pass, false);
    const input: TaskInput = { title: 't', body: 'Mail jo@example.org now', tags: [] };
    const good = { findings: [{ kind: 'email', text: 'jo@example.org', start: 5, end: 19 }], redacted: '' };
    const bad = { findings: [{ kind: 'email', text: 'jo@example.org', start: 0, end: 14 }], redacted: '' };
    const spec = { type: 'pii-spans', value: [{ text: 'jo@example.org' }], checkOffsets: true };
    assert.equal((await check(spec, good, { task: 'pii', input })).pass, true);
    assert.match((await check(spec, bad, { task: 'pii', input })).reason, /wrong offsets/);
  });
});

describe('ranked-ids', () => {
  const input: TaskInput = {
    ...SAMPLE_INPUT,
    context: ['a', 'b', 'c', 'd'].map((id) => ({ entryId: id, title: id, snippet: id, score: 0.5 })),
  };
  const related = (ids: string[]) => ({ related: ids.map((entryId) => ({ entryId, title: entryId, score: 0.5 })) });

  test('recall@k of the expected ids', async () => {
    assert.equal(
      (await check({ type: 'ranked-ids', value: ['a', 'b'] }, related(['b', 'a', 'c']), { task: 'related', input }))
        .pass,
      true,
    );
    const late = await check({ type: 'ranked-ids', value: ['a', 'b'], k: 2 }, related(['b', 'c', 'a']), {
      task: 'related',
      input,
    });
    assert.equal(late.pass, false);
    assert.equal(late.score, 0.5);
    const half = await check(
      { type: 'ranked-ids', value: ['a', 'b'], k: 2, minRecall: 0.5 },
      related(['b', 'c', 'a']),
      {
        task: 'related',
        input,
      },
    );
    assert.equal(half.pass, true);
  });

  test('forbidden or invented ids fail with score 0; an empty list passes an empty expectation', async () => {
    const forbidden = await check({ type: 'ranked-ids', value: ['a'], forbidden: ['d'] }, related(['a', 'd']), {
      task: 'related',
      input,
    });
    assert.equal(forbidden.pass, false);
    assert.equal(forbidden.score, 0);
    const invented = await check({ type: 'ranked-ids', value: ['a'] }, related(['a', 'zzz']), {
      task: 'related',
      input,
    });
    assert.match(invented.reason, /not among the candidates \["zzz"\]/);
    assert.equal(
      (await check({ type: 'ranked-ids', value: [], forbidden: ['d'] }, related([]), { task: 'related', input })).pass,
      true,
    );
  });
});

describe('llm-rubric', () => {
  let server: ModelServer;
  before(async () => {
    server = await startModelServer();
  });
  after(async () => {
    await server.close();
  });

  const judgeFor = () =>
    createJudge(
      openProviders(loadConfig({}, { openaiBaseUrl: server.url, openaiApiKey: 'k' }), { local: createLocalProvider() }),
      'gpt-4o-mini',
    );

  test('without a judge it is skipped with the notice, never passed', async () => {
    const result = await check({ type: 'llm-rubric', value: 'Neutral tone.' }, summary('x'));
    assert.equal(result.skipped, true);
    assert.equal(result.pass, false);
    assert.equal(result.reason, NO_JUDGE_NOTICE);
  });

  test('a judge model grades through the provider and its verdict counts', async () => {
    server.reply((request) => ({
      json: request.user.includes('<output>calm</output>')
        ? { pass: true, score: 0.9, reason: 'neutral' }
        : { pass: false, score: 0.2, reason: 'sensational' },
    }));
    const judge = judgeFor();
    const good = await check({ type: 'llm-rubric', value: 'Neutral tone.' }, summary('calm'), { judge });
    assert.deepEqual([good.pass, good.score, good.skipped], [true, 0.9, undefined]);
    assert.match(good.reason, /judge: neutral/);
    const bad = await check({ type: 'llm-rubric', value: 'Neutral tone.' }, summary('SHOCKING'), { judge });
    assert.equal(bad.pass, false);
    assert.ok(
      server.requests.some((r) => r.user.includes('Rubric: Neutral tone.') && r.user.includes('<output>calm</output>')),
    );
  });

  test('a judge that answers nonsense or fails makes the assertion fail, not pass', async () => {
    server.reply(() => ({ text: 'I think it is fine.' }));
    const nonsense = await check({ type: 'llm-rubric', value: 'Neutral.' }, summary('x'), { judge: judgeFor() });
    assert.equal(nonsense.pass, false);
    assert.match(nonsense.reason, /judge failed/);
    assert.throws(() => parseVerdict('{"pass": "yes"}'), /not a verdict/);
  });

  test('the local model is refused as a judge', () => {
    const providers = openProviders(loadConfig({}, {}), { local: createLocalProvider() });
    assert.throws(() => createJudge(providers, 'galley-local-1'), /cannot judge/);
  });
});
