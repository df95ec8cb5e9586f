import assert from 'node:assert/strict';
import { test } from 'node:test';
import { anchorPiiFindings, piiSourceText } from './piiAnchoring.ts';

const input = { title: 'Contact', body: 'Write to anna@example.org or call +44 20 7946 0958 today.', tags: [] };

test('findings are re-anchored in the entry text and the redaction rebuilt from them', () => {
  const out = anchorPiiFindings(
    {
      findings: [
        { kind: 'phone', text: '+44 20 7946 0958', start: 0, end: 3 },
        { kind: 'email', text: 'anna@example.org', start: 999, end: 1010 },
        { kind: 'email', text: 'ghost@example.org', start: 5, end: 20 },
      ],
      redacted: 'whatever the model said',
    },
    input,
  );
  const source = piiSourceText(input);
  assert.deepEqual(
    out.findings.map((f) => [f.kind, source.slice(f.start, f.end)]),
    [
      ['email', 'anna@example.org'],
      ['phone', '+44 20 7946 0958'],
    ],
  );
  assert.equal(out.redacted, 'Contact\n\nWrite to [EMAIL] or call [PHONE] today.');
});
