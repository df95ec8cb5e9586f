import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { piiTask, piiText } from './piiTask.ts';

describe('piiTask', () => {
  test('findings carry offsets into title + blank line + body, and the redacted text masks them', () => {
    const input = {
      title: 'Contact anna@example.com',
      body: 'Call **+49 30 1234567** or write to [her](mailto:anna.keller@zvshk.de). Server 192.168.10.20.',
      tags: [],
    };
    const text = piiText(input);
    assert.equal(text, `${input.title}\n\n${input.body}`);
    const { findings, redacted } = piiTask(input);
    assert.ok(findings.length >= 3, JSON.stringify(findings));
    for (const f of findings) assert.equal(text.slice(f.start, f.end), f.text);
    assert.deepEqual(
      findings.map((f) => f.kind).filter((k) => k === 'email'),
      ['email', 'email'],
    );
    assert.ok(findings.some((f) => f.kind === 'phone' && f.start > input.title.length));
    for (const f of findings) assert.ok(!redacted.includes(f.text), `${f.text} is masked`);
    assert.ok(redacted.startsWith('Contact '));
  });

  test('a text without personal data has no findings and is returned unchanged', () => {
    const input = { title: 'Weather', body: 'Sunny, 24 degrees, light wind from the west.', tags: [] };
    assert.deepEqual(piiTask(input), { findings: [], redacted: piiText(input) });
  });
});
