/** The reuse check's earliest reusable input: the most trailing words removed that reuse would still accept. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { similarity, sketchOf } from '../memo/nearDuplicates.ts';
import type { TaskInput } from '../tasks.ts';
import { earliestReusableVersion, reusingRunner } from './reuseCheck.ts';

const body = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
const input: TaskInput = { title: 'A title', body, tags: ['x'] };

test('the earliest version is as far back as the threshold allows, and not one word further', () => {
  const earliest = earliestReusableVersion(input, 0.9);
  assert.ok(earliest.body.length < body.length);
  assert.ok(body.startsWith(earliest.body));
  assert.ok(similarity(sketchOf(earliest), sketchOf(input)) >= 0.9);
  const oneMore = { ...earliest, body: earliest.body.split(' ').slice(0, -1).join(' ') };
  assert.ok(similarity(sketchOf(oneMore), sketchOf(input)) < 0.9);
  assert.deepEqual(earliestReusableVersion({ ...input, body: 'short' }, 0.9).body, 'short');
});

test('the runner passes tasks that never reuse through unchanged', async () => {
  const seen: string[] = [];
  const runner = reusingRunner(async (task, given) => {
    seen.push(`${task}:${given.body.split(' ').length}`);
    return {
      output: {},
      model: 'm',
      promptHash: 'h',
      usage: { inputTokens: 0, outputTokens: 0 },
      costUsd: 0,
      latencyMs: 0,
    };
  }, 0.9);
  await runner('pii', input);
  await runner('seo', input);
  assert.equal(seen[0], 'pii:60');
  assert.notEqual(seen[1], 'seo:60');
});
