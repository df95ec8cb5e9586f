/** The HTML report is one self-contained document: inline CSS, no scripts or external assets, every value escaped. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { buildCaseResult, buildEvalRun } from '../testing.ts';
import { escapeHtml, renderHtmlReport } from './htmlReport.ts';
import { writeReports } from './reportWriter.ts';

const HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>';

test('escapeHtml escapes the five significant characters', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
});

test('model output, reasons and tags are escaped; nothing executes or loads', () => {
  const run = buildEvalRun('summary', [
    buildCaseResult({ id: 'summary-001', output: { summary: HOSTILE }, tags: ['<b>tag</b>'] }),
    buildCaseResult({ id: 'summary-002', pass: false, reason: HOSTILE, error: '<iframe>' }),
  ]);
  const html = renderHtmlReport([run]);
  assert.ok(html.startsWith('<!doctype html>'));
  assert.doesNotMatch(html, /<script|<img|<iframe|<link|<a\s/i);
  assert.doesNotMatch(html, /<[^>]*\s(src|href|on\w+)=/i, 'no element carries a source, link or handler');
  assert.match(html, /&#60;script&#62;alert\(&#34;x&#34;\)&#60;\/script&#62;/);
  assert.match(html, /&#60;b&#62;tag&#60;\/b&#62;/);
  assert.match(html, /<style>/);
  assert.match(html, /2 assertion\(s\) skipped: no judge\. They are not counted as passed\./);
  assert.match(html, /summary — gate <span class="pass">pass<\/span>/);
  assert.match(html, /<details open><summary><span class="fail">FAIL<\/span> <code>summary-002<\/code>/);
});

test('writeReports writes the JSON and HTML pair', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'galley-report-'));
  try {
    const run = buildEvalRun('seo', [buildCaseResult({ id: 'seo-001' })], { thresholds: { minPassRate: 1.1 } });
    const { json, html } = writeReports(dir, [run]);
    assert.equal(path.basename(json), `seo-${run.id}.json`);
    assert.deepEqual(JSON.parse(readFileSync(json, 'utf8')), { runs: [run] });
    assert.match(readFileSync(html, 'utf8'), /gate <span class="fail">FAIL<\/span>/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
