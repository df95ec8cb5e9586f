/**
 * The golden sets as fixtures: the repository's case files load against the manifest with at least 40 cases per
 * task covering the required shapes and languages; a changed file is refused until the manifest is deliberately
 * updated; malformed lines and assertions are reported with their line and case id; thresholds are validated.
 */
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { TASK_NAMES } from '../tasks.ts';
import { EvalFixtureError, loadCases } from './caseLoader.ts';
import { MANIFEST_FILE, readManifest, writeManifest } from './manifest.ts';
import { loadThresholds, parseThresholds } from './thresholds.ts';

const EVALS_DIR = path.resolve(import.meta.dirname, '../../../evals');
const SHAPES = ['long', 'short', 'empty', 'markup', 'lists', 'quotes', 'numbers'];
const LANGUAGES = ['en', 'de', 'fr', 'es', 'nl', 'it'];

describe('the repository golden sets', () => {
  for (const task of TASK_NAMES) {
    test(`${task}: manifest-checked, ≥ 40 cases, every shape and language, source and licence`, () => {
      const loaded = loadCases(EVALS_DIR, task);
      assert.ok(loaded.cases.length >= 40, `${loaded.cases.length} cases`);
      const tags = new Set(loaded.cases.flatMap((c) => c.tags));
      for (const tag of [...SHAPES, ...LANGUAGES]) assert.ok(tags.has(tag), `${task} has no "${tag}" case`);
      assert.ok(
        loaded.cases.some((c) => c.input.body === ''),
        'an empty body',
      );
      for (const c of loaded.cases) {
        assert.ok(c.source.length > 0 && c.licence.length > 0, c.id);
        assert.ok(c.id.startsWith(`${task}-`), c.id);
      }
      if (task === 'related') assert.ok(loaded.cases.every((c) => (c.input.context ?? []).length > 0));
      if (task === 'pii') assert.ok(loaded.cases.some((c) => c.expectations.some((e) => e.type === 'pii-spans')));
    });
  }

  test('the thresholds file gates every task', () => {
    const thresholds = loadThresholds(path.join(EVALS_DIR, 'thresholds.yaml'));
    for (const task of TASK_NAMES) {
      const t = thresholds[task];
      assert.ok(t.minPassRate !== undefined && t.minMeanScore !== undefined && t.maxP95LatencyMs !== undefined, task);
      assert.ok(t.maxTokensPerCase !== undefined && t.maxCostPerCaseUsd !== undefined, task);
    }
  });
});

describe('frozen fixtures', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'galley-evals-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'summary', 'cases.jsonl');
  const original = readFileSync(path.join(EVALS_DIR, 'summary', 'cases.jsonl'), 'utf8');

  test('a file missing from the manifest is refused with the fix', () => {
    cpSync(path.join(EVALS_DIR, 'summary'), path.join(dir, 'summary'), { recursive: true });
    assert.throws(
      () => loadCases(dir, 'summary'),
      (e: unknown) => {
        assert.ok(e instanceof EvalFixtureError);
        assert.match(e.message, /not listed in MANIFEST\.sha256.*--update-manifest/);
        return true;
      },
    );
  });

  test('after --update-manifest it loads; a silent edit is refused; re-recording accepts it', () => {
    const lines = writeManifest(dir);
    assert.equal(lines.length, 1);
    assert.match(readFileSync(path.join(dir, MANIFEST_FILE), 'utf8'), /^[0-9a-f]{64} {2}summary\/cases\.jsonl\n$/);
    assert.equal(loadCases(dir, 'summary').cases.length, original.trim().split('\n').length);
    writeFileSync(file, original.replace('Riverton', 'Rivertown'));
    assert.throws(() => loadCases(dir, 'summary'), /changed without a manifest update .*--update-manifest/);
    writeManifest(dir);
    assert.equal(loadCases(dir, 'summary').sha256, readManifest(dir).get('summary/cases.jsonl'));
  });

  test('a missing case file is named', () => {
    assert.throws(() => loadCases(dir, 'tags', { verifyManifest: false }), /no case file for task "tags"/);
  });

  const badLine = (line: string) => {
    writeFileSync(file, `${original.trim().split('\n')[0]}\n${line}\n`);
    return () => loadCases(dir, 'summary', { verifyManifest: false });
  };
  const good = JSON.parse(original.split('\n')[0] ?? '{}') as Record<string, unknown>;

  test('malformed lines name the line and case', () => {
    assert.throws(badLine('{"id": '), /summary\/cases\.jsonl:2: not JSON/);
    assert.throws(badLine(JSON.stringify({ ...good, id: 'x-1', licence: undefined })), /:2 \(case x-1\): .*licence/);
    assert.throws(
      badLine(JSON.stringify({ ...good, id: 'x-2', expectations: [{ type: 'similar', value: 'a', threshold: 2 }] })),
      /:2 \(case x-2\): similar: \/threshold/,
    );
    assert.throws(
      badLine(JSON.stringify({ ...good, id: 'x-3', expectations: [{ type: 'nope' }] })),
      /unknown assertion type "nope"/,
    );
    assert.throws(badLine(JSON.stringify(good)), /:2: duplicate case id/);
    writeFileSync(file, '\n');
    assert.throws(() => loadCases(dir, 'summary', { verifyManifest: false }), /no cases/);
    appendFileSync(file, '');
  });
});

describe('thresholds', () => {
  test('defaults merge under task overrides', () => {
    const t = parseThresholds(
      'defaults: { minPassRate: 0.9, maxP95LatencyMs: 100 }\ntasks:\n  seo: { minPassRate: 0.5 }\n',
    );
    assert.deepEqual(t.seo, { minPassRate: 0.5, maxP95LatencyMs: 100 });
    assert.deepEqual(t.summary, { minPassRate: 0.9, maxP95LatencyMs: 100 });
  });

  test('unknown keys, unknown tasks and out-of-range values are refused', () => {
    assert.throws(() => parseThresholds('defaults: { minPassrate: 0.9 }'), EvalFixtureError);
    assert.throws(() => parseThresholds('tasks: { sumary: { minPassRate: 0.9 } }'), EvalFixtureError);
    assert.throws(() => parseThresholds('defaults: { minPassRate: 1.5 }'), EvalFixtureError);
    assert.deepEqual(parseThresholds('').pii, {});
  });
});
