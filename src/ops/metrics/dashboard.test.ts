/**
 * Keeps the Grafana dashboard and the Prometheus rules from drifting away from the registry: every `galley_*`
 * series they query is a family of createMetrics (histogram suffixes allowed), every label they match on is one
 * of that family's labels, and every `galley:*` series is recorded in rules.yml.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createMetrics } from './registry.ts';

const ROOT = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');

interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly targets?: readonly { readonly expr?: string }[];
}

/** Every `expr: |` block and one-line `expr:` of a rule file, and every recorded name. */
function ruleFileParts(text: string): { exprs: string[]; records: Set<string> } {
  const lines = text.split('\n');
  const exprs: string[] = [];
  const records = new Set<string>();
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    const record = /^\s*- record: (\S+)$/.exec(line);
    if (record?.[1] !== undefined) records.add(record[1]);
    const expr = /^(\s*)expr: (.*)$/.exec(line);
    if (expr === null) continue;
    if (expr[2] !== '|') {
      exprs.push(expr[2] ?? '');
      continue;
    }
    const indent = (expr[1] ?? '').length;
    const body: string[] = [];
    const indentOf = (text: string) => text.length - text.trimStart().length;
    while (i + 1 < lines.length && indentOf(lines[i + 1] ?? '') > indent) {
      body.push((lines[i + 1] ?? '').trim());
      i += 1;
    }
    exprs.push(body.join('\n'));
  }
  return { exprs, records };
}

/** Label names of every family in a full registry (prom-client's defaults included). */
function familyLabels(): Map<string, readonly string[]> {
  const metrics = createMetrics({ collectDefault: true });
  try {
    // prom-client keeps `labelNames` on each metric; its public type omits it.
    return new Map(
      metrics.registry
        .getMetricsAsArray()
        .map((m) => [m.name, (m as unknown as { labelNames?: readonly string[] }).labelNames ?? []]),
    );
  } finally {
    metrics.close();
  }
}

/** Problems with the series `expr` queries; empty when every name and label matcher is known. */
function problems(expr: string, families: Map<string, readonly string[]>, records: Set<string>): string[] {
  const found: string[] = [];
  for (const match of expr.matchAll(/\b(galley[_:][a-zA-Z0-9_:]*)(\s*\{([^}]*)\})?/g)) {
    const name = match[1] ?? '';
    if (name.includes(':')) {
      if (!records.has(name)) found.push(`${name} is not recorded in rules.yml`);
      continue;
    }
    const base = families.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
    const labels = families.get(base);
    if (labels === undefined) {
      found.push(`${name} is not a registry family`);
      continue;
    }
    const allowed = new Set([...labels, ...(name.endsWith('_bucket') ? ['le'] : [])]);
    for (const matcher of (match[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)/g)) {
      const label = matcher[1] ?? '';
      if (!allowed.has(label)) found.push(`${name} has no label "${label}"`);
    }
  }
  for (const by of expr.matchAll(/\bby\s*\(([^)]*)\)/g)) {
    for (const label of (by[1] ?? '').split(',').map((s) => s.trim())) {
      const known = [...families.values()].some((names) => names.includes(label));
      if (!['le', 'instance', 'job', 'slo', 'alertname', ''].includes(label) && !known) {
        found.push(`aggregation by unknown label "${label}"`);
      }
    }
  }
  return found;
}

describe('dashboard and rules', () => {
  const families = familyLabels();
  const rules = ruleFileParts(read('deploy/prometheus/rules.yml'));

  it('the dashboard is valid JSON with PromQL targets on every panel', () => {
    const dashboard = JSON.parse(read('deploy/grafana/galley.json')) as { uid: string; panels: Panel[] };
    assert.equal(dashboard.uid, 'galley-overview');
    const ids = dashboard.panels.map((panel) => panel.id);
    assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
    const charts = dashboard.panels.filter((panel) => panel.type !== 'row');
    assert.ok(charts.length >= 30);
    for (const panel of charts) {
      assert.ok((panel.targets ?? []).length > 0, `${panel.title} has targets`);
      for (const target of panel.targets ?? []) assert.ok((target.expr ?? '').length > 0, `${panel.title} expr`);
    }
    const rows = dashboard.panels.filter((panel) => panel.type === 'row').map((panel) => panel.title);
    for (const section of ['SLO burn', 'HTTP (RED)', 'Saturation (USE)', 'Queues', 'AI cost and calls']) {
      assert.ok(rows.includes(section), `row ${section}`);
    }
    assert.ok(rows.includes('Auth per identity provider') && rows.includes('Caches and retrieval'));
  });

  it('every series the dashboard queries exists in the registry or the rules', () => {
    const dashboard = JSON.parse(read('deploy/grafana/galley.json')) as { panels: Panel[] };
    const exprs = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr ?? ''));
    assert.deepEqual(
      exprs.flatMap((expr) => problems(expr, families, rules.records)),
      [],
    );
  });

  it('every series the rules query exists in the registry or is recorded', () => {
    assert.ok(rules.exprs.length > 50);
    assert.deepEqual(
      rules.exprs.flatMap((expr) => problems(expr, families, rules.records)),
      [],
    );
  });

  it('the drift check catches unknown names and labels', () => {
    const sample =
      'sum by (route) (rate(galley_http_requests_totl[5m])) + galley_cache_hits_total{tenant="x"} + galley:nope';
    assert.deepEqual(problems(sample, families, rules.records), [
      'galley_http_requests_totl is not a registry family',
      'galley_cache_hits_total has no label "tenant"',
      'galley:nope is not recorded in rules.yml',
    ]);
  });
});
