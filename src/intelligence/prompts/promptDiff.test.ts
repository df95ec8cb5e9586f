/** The LCS line diff and its unified rendering. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffPromptVersions, lineDiff, unifiedHunks } from './promptDiff.ts';
import { parsePromptSource } from './promptSource.ts';
import { versionOfSource } from './promptVersion.ts';
import { repoPromptText } from './testing.ts';

test('lineDiff is a minimal edit script that rebuilds both sides', () => {
  const a = ['a', 'b', 'c', 'd', 'e'];
  const b = ['a', 'c', 'd', 'x', 'e', 'f'];
  const diff = lineDiff(a, b);
  assert.deepEqual(
    diff.filter((l) => l.op !== '+').map((l) => l.text),
    a,
  );
  assert.deepEqual(
    diff.filter((l) => l.op !== '-').map((l) => l.text),
    b,
  );
  assert.equal(diff.filter((l) => l.op === ' ').length, 4); // a, c, d, e: the longest common subsequence
  assert.deepEqual(lineDiff([], []), []);
});

test('unified hunks carry 3 lines of context and correct ranges', () => {
  const old = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`);
  const changed = old.map((l) => (l === 'line 10' ? 'line ten' : l));
  assert.deepEqual(unifiedHunks(old.join('\n'), changed.join('\n')), [
    '@@ -7,7 +7,7 @@',
    ' line 7',
    ' line 8',
    ' line 9',
    '-line 10',
    '+line ten',
    ' line 11',
    ' line 12',
    ' line 13',
  ]);
  assert.deepEqual(unifiedHunks('same', 'same'), []);
  // Changes whose contexts touch share one hunk; changes far apart make two.
  const twice = changed.map((l) => (l === 'line 15' ? 'line fifteen' : l));
  assert.equal(unifiedHunks(old.join('\n'), twice.join('\n')).filter((l) => l.startsWith('@@')).length, 1);
  const far = old.map((l) => (l === 'line 1' || l === 'line 20' ? `${l}!` : l));
  assert.deepEqual(
    unifiedHunks(old.join('\n'), far.join('\n')).filter((l) => l.startsWith('@@')),
    ['@@ -1,4 +1,4 @@', '@@ -17,4 +17,4 @@'],
  );
});

test('diffPromptVersions compares system, user and params', () => {
  const text = repoPromptText('seo');
  const a = versionOfSource(parsePromptSource('seo.md', text), 0);
  const b = versionOfSource(parsePromptSource('seo.md', text.replace('temperature: 0.3', 'temperature: 0.5')), 0);
  const lines = diffPromptVersions(a, b);
  assert.equal(lines[0], `--- ${a.hash} (seo)`);
  assert.equal(lines[1], `+++ ${b.hash} (seo)`);
  const at = (name: string) => lines.indexOf(`== ${name}`);
  assert.equal(lines[at('system') + 1], '(unchanged)');
  assert.equal(lines[at('user') + 1], '(unchanged)');
  const params = lines.slice(at('params') + 1);
  assert.deepEqual(
    params.filter((l) => /^[-+]/.test(l)),
    ['-  "temperature": 0.3', '+  "temperature": 0.5'],
  );
});
