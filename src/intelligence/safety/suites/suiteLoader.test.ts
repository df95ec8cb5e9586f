/** The frozen safety suites: manifest integrity, deterministic splits, and the thresholds gate. */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadSafetySuites, SAFETY_CATEGORIES, SuiteIntegrityError, splitOf } from './suiteLoader.ts';
import { readThresholds, runSafetySuites } from './suiteRunner.ts';

const DIR = fileURLToPath(new URL('../../../../evals/safety', import.meta.url));

describe('loadSafetySuites', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'galley-safety-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('loads every category, own splits and the public dev set', () => {
    const cases = loadSafetySuites(DIR);
    for (const category of SAFETY_CATEGORIES) {
      assert.ok(
        cases.some((c) => c.category === category && c.split === 'dev'),
        `${category} dev`,
      );
      assert.ok(
        cases.some((c) => c.category === category && c.split === 'holdout'),
        `${category} holdout`,
      );
    }
    assert.ok(cases.filter((c) => c.split === 'public-dev').length >= 500);
    const own = cases.filter((c) => c.split !== 'public-dev');
    assert.ok(own.filter((c) => c.category.startsWith('injection')).length >= 60);
    assert.ok(own.filter((c) => c.category === 'jailbreak').length >= 40);
    assert.ok(own.filter((c) => c.category === 'extraction').length >= 20);
    assert.ok(own.filter((c) => c.category === 'benign').length >= 80);
    assert.ok(own.reduce((n, c) => n + (c.category === 'pii' ? (c.pii?.length ?? 0) : 0), 0) >= 150);
    for (const c of own) assert.equal(c.split, splitOf(c.id));
  });

  test('expected PII spans point at their text', () => {
    for (const c of loadSafetySuites(DIR)) {
      for (const span of c.pii ?? []) assert.equal(c.text.slice(span.start, span.end), span.text, c.id);
    }
  });

  test('refuses a case file changed without updating the manifest', () => {
    const copy = join(tmp, 'changed');
    cpSync(DIR, copy, { recursive: true });
    const file = join(copy, 'benign.jsonl');
    writeFileSync(file, readFileSync(file, 'utf8').replace('night bus', 'night tram'));
    assert.throws(() => loadSafetySuites(copy), SuiteIntegrityError);
  });

  test('refuses a case file missing from the manifest', () => {
    const copy = join(tmp, 'unlisted');
    cpSync(DIR, copy, { recursive: true });
    writeFileSync(
      join(copy, 'MANIFEST.sha256'),
      readFileSync(join(copy, 'MANIFEST.sha256'), 'utf8').replace(/^.*pii\.jsonl\n/m, ''),
    );
    assert.throws(() => loadSafetySuites(copy), /pii\.jsonl is not listed/);
  });
});

test('the tuned splits (own dev, public dev) meet evals/safety/thresholds.yaml; the holdout is scored', () => {
  const report = runSafetySuites(loadSafetySuites(DIR), readThresholds(join(DIR, 'thresholds.yaml')));
  const missed = report.rows
    .filter((r) => r.split !== 'holdout' && r.breach !== null)
    .map((r) => `${r.category}/${r.split}: ${r.breach}`);
  assert.deepEqual(missed, []);
  // The holdout is never tuned on, so it is not asserted here; `galley safety` gates it and exits 1 below target.
  for (const category of SAFETY_CATEGORIES) {
    assert.ok(report.rows.some((r) => r.category === category && r.split === 'holdout' && r.cases > 0));
  }
  assert.equal(
    report.passed,
    report.rows.every((r) => r.breach === null),
  );
});
