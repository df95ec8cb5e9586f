import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { BURN_ALERTS, RUNBOOK_BASE, renderPrometheusRules, SLO_WINDOWS, SLOS } from './slo.ts';

const ROOT = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');

/** The alert blocks of the rule file: each from `- alert:` up to the next rule. */
function alertBlocks(text: string): string[] {
  return text.split(/\n(?=\s*- (?:alert|record):|\s{2}- name:)/).filter((block) => /^\s*- alert:/.test(block));
}

/** The body of the `## <heading>` section of a markdown file, or undefined. */
function section(markdown: string, heading: string): string | undefined {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) return undefined;
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end < 0 ? undefined : end);
}

describe('SLOs as code', () => {
  it('deploy/prometheus/rules.yml is the current rendering of slo.ts', () => {
    assert.equal(
      read('deploy/prometheus/rules.yml'),
      renderPrometheusRules(),
      'stale: run `npx node src/ops/metrics/slo.ts > deploy/prometheus/rules.yml`',
    );
  });

  it('records every SLO over every window and alerts on every SLO in every burn class', () => {
    const rules = renderPrometheusRules();
    for (const slo of SLOS) {
      for (const window of SLO_WINDOWS) {
        const pattern = new RegExp(`record: galley:slo_errors:ratio_rate${window}\\n[\\s\\S]*?slo: "${slo.name}"`);
        assert.match(rules, pattern, `${slo.name} over ${window}`);
      }
    }
    const blocks = alertBlocks(rules);
    assert.equal(blocks.length, SLOS.length * BURN_ALERTS.length);
    for (const burn of BURN_ALERTS) {
      const mine = blocks.filter((block) => block.includes(`- alert: ${burn.alert}\n`));
      assert.equal(mine.length, SLOS.length, burn.alert);
      for (const block of mine) {
        assert.match(block, new RegExp(`ratio_rate${burn.long}\\{slo="[^"]+"\\} > \\(${burn.factor} \\* `));
        assert.match(block, new RegExp(`\\n\\s*and\\n\\s*galley:slo_errors:ratio_rate${burn.short}\\{`));
      }
    }
  });

  it('every alert has severity and slo labels, a summary, and a runbook link to an existing section', () => {
    for (const block of alertBlocks(read('deploy/prometheus/rules.yml'))) {
      const severity = /\n\s+severity: (\S+)/.exec(block)?.[1];
      const slo = /\n\s+slo: "([^"]+)"/.exec(block)?.[1];
      assert.ok(severity === 'page' || severity === 'ticket', block);
      assert.ok(slo !== undefined && SLOS.some((s) => s.name === slo), block);
      assert.match(block, /\n\s+summary: ".+"/);
      const url = /\n\s+runbook_url: "([^"]+)"/.exec(block)?.[1] ?? '';
      const [file = '', anchor = ''] = url.slice(RUNBOOK_BASE.length).split('#');
      assert.ok(url.startsWith(RUNBOOK_BASE), url);
      assert.equal(anchor, slo, 'the runbook anchor is the SLO name');
      const body = section(read(`${RUNBOOK_BASE}${file}`), anchor);
      assert.ok(body !== undefined, `${url} has no "## ${anchor}" section`);
      for (const part of ['**Symptom.**', '**Dashboards to open.**', '**First checks.**', '**Mitigation.**']) {
        assert.ok(body.includes(part), `${url} lacks ${part}`);
      }
    }
  });

  it('docs/slo.md documents every SLO with its objective', () => {
    const docs = read('docs/slo.md');
    for (const slo of SLOS) {
      const objective = `${Number(((1 - slo.errorBudget) * 100).toFixed(3))} %`;
      assert.match(docs, new RegExp(`\\| \`${slo.name}\` +\\| ${objective.replace('.', '\\.')} +\\|`), slo.name);
    }
  });
});
