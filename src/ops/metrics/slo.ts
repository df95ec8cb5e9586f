/**
 * SLOs as code. Each SLO is an objective and a PromQL error ratio over Galley's metric names; from these the
 * Prometheus rule file `deploy/prometheus/rules.yml` is rendered: error ratios recorded over 5m/30m/1h/6h/3d, and
 * multi-window multi-burn-rate alerts (Google SRE workbook, ch. 5):
 * - page when the budget burns at 14.4× over 1h AND 5m (2 % of a 30-day budget in an hour),
 * - page at 6× over 6h AND 30m (5 % in six hours),
 * - ticket at 1× over 3d AND 6h (on course to spend exactly the budget).
 * The short window makes an alert stop soon after the burn stops. `slo.test.ts` fails when the committed rule
 * file differs from this rendering; regenerate with `npx node src/ops/metrics/slo.ts > deploy/prometheus/rules.yml`.
 */

/** Rate windows every SLO's error ratio is recorded over. */
export const SLO_WINDOWS = Object.freeze(['5m', '30m', '1h', '6h', '3d'] as const);

/** A rate window. */
export type SloWindow = (typeof SLO_WINDOWS)[number];

/** One service level objective. */
export interface SloDefinition {
  /** Slug: the `slo` label value and the runbook section anchor. */
  readonly name: string;
  /** One line for humans. */
  readonly summary: string;
  /** Allowed error ratio over 30 days (1 − objective), written exactly, e.g. 0.001 for 99.9 %. */
  readonly errorBudget: number;
  /** Runbook file (repository-relative) holding a `## <name>` section. */
  readonly runbook: string;
  /** PromQL of the fraction of bad events (or bad time) over `window`; no labels in the result. */
  errorRatio(window: SloWindow): string;
}

/** Prefix of runbook links; repository-relative so the rule file names a file that exists (see slo.test.ts). */
export const RUNBOOK_BASE = 'docs/runbooks/';

const MANAGEMENT = 'route=~"/api/v1/.+"';
const DELIVERY = 'route=~"/cdn/v1/.+"';

/** Oldest ready job age above which a queue is in breach (seconds). */
export const QUEUE_AGE_THRESHOLD_SECONDS = 60;

function availability(selector: string) {
  return (w: SloWindow) =>
    `sum(rate(galley_http_requests_total{${selector},status_class="5xx"}[${w}]))\n` +
    `/\nsum(rate(galley_http_requests_total{${selector}}[${w}]))`;
}

function latency(selector: string, le: string) {
  return (w: SloWindow) =>
    `1 - (\n  sum(rate(galley_http_request_duration_seconds_bucket{${selector},le="${le}"}[${w}]))\n` +
    `  /\n  sum(rate(galley_http_request_duration_seconds_count{${selector}}[${w}]))\n)`;
}

/** Every SLO, in the order of docs/slo.md. */
export const SLOS: readonly SloDefinition[] = Object.freeze([
  {
    name: 'management-api-availability',
    summary: '99.9 % of management API requests succeed (no 5xx)',
    errorBudget: 0.001,
    runbook: 'http-api.md',
    errorRatio: availability(MANAGEMENT),
  },
  {
    name: 'management-api-latency',
    summary: '99 % of management API requests complete within 250 ms',
    errorBudget: 0.01,
    runbook: 'http-api.md',
    errorRatio: latency(MANAGEMENT, '0.25'),
  },
  {
    name: 'delivery-api-availability',
    summary: '99.95 % of delivery API requests succeed (no 5xx)',
    errorBudget: 0.0005,
    runbook: 'http-api.md',
    errorRatio: availability(DELIVERY),
  },
  {
    name: 'delivery-api-latency',
    summary: '99 % of delivery API requests complete within 100 ms',
    errorBudget: 0.01,
    runbook: 'http-api.md',
    errorRatio: latency(DELIVERY, '0.1'),
  },
  {
    name: 'ai-job-completion',
    summary: '99 % of AI jobs complete successfully within 30 s of being enqueued',
    errorBudget: 0.01,
    runbook: 'ai-jobs.md',
    errorRatio: (w) =>
      `1 - (\n  sum(rate(galley_ai_job_duration_seconds_bucket{outcome="completed",le="30"}[${w}]))\n` +
      `  /\n  sum(rate(galley_ai_job_duration_seconds_count{outcome!="cancelled"}[${w}]))\n)`,
  },
  {
    name: 'queue-age',
    summary: `99.5 % of the time every queue's oldest ready job is under ${QUEUE_AGE_THRESHOLD_SECONDS} s old`,
    errorBudget: 0.005,
    runbook: 'queues.md',
    errorRatio: (w) => `avg_over_time(galley:queue_age_breach:bool[${w}])`,
  },
]);

/** One burn-rate alert class. */
export interface BurnAlert {
  readonly alert: string;
  readonly severity: 'page' | 'ticket';
  /** Multiple of the error budget rate. */
  readonly factor: number;
  readonly long: SloWindow;
  readonly short: SloWindow;
  /** Prometheus `for:` */
  readonly for: string;
}

/** The three alert classes, fastest first. */
export const BURN_ALERTS: readonly BurnAlert[] = Object.freeze([
  { alert: 'GalleySLOFastBurn', severity: 'page', factor: 14.4, long: '1h', short: '5m', for: '2m' },
  { alert: 'GalleySLOSlowBurn', severity: 'page', factor: 6, long: '6h', short: '30m', for: '5m' },
  { alert: 'GalleySLOBudgetBurn', severity: 'ticket', factor: 1, long: '3d', short: '6h', for: '30m' },
]);

/** Recorded name of an SLO error ratio over `window`. */
export function errorRatioRecord(window: SloWindow): string {
  return `galley:slo_errors:ratio_rate${window}`;
}

/** Other recorded series used by dashboards. */
const DASHBOARD_RECORDS: readonly { record: string; expr: string }[] = [
  {
    record: 'galley:cache_hit_ratio:rate5m',
    expr:
      'sum by (cache) (rate(galley_cache_hits_total[5m]))\n/\n' +
      '(sum by (cache) (rate(galley_cache_hits_total[5m])) + sum by (cache) (rate(galley_cache_misses_total[5m])))',
  },
  {
    record: 'galley:retrieval_hit_ratio:rate5m',
    expr:
      'sum by (task) (rate(galley_retrieval_hits_total[5m]))\n/\n' +
      '(sum by (task) (rate(galley_retrieval_hits_total[5m])) + sum by (task) (rate(galley_retrieval_misses_total[5m])))',
  },
  {
    record: 'galley:ai_cost_usd:rate1h',
    expr: 'sum by (tier, model) (rate(galley_ai_cost_usd_total[1h]))',
  },
];

/** A YAML double-quoted scalar (JSON string escapes are valid YAML ones). */
const quote = (value: string) => JSON.stringify(value);
const block = (text: string, indent: string) =>
  text
    .split('\n')
    .map((line) => `${indent}${line}`)
    .join('\n');

function recordingRule(record: string, expr: string, labels: Record<string, string> = {}): string {
  const labelLines = Object.entries(labels).map(([k, v]) => `\n          ${k}: ${quote(v)}`);
  return (
    `      - record: ${record}\n        expr: |\n${block(expr, '          ')}` +
    (labelLines.length > 0 ? `\n        labels:${labelLines.join('')}` : '')
  );
}

function alertRule(slo: SloDefinition, burn: BurnAlert): string {
  const threshold = `(${burn.factor} * ${slo.errorBudget})`;
  const selector = `{slo="${slo.name}"}`;
  const expr =
    `${errorRatioRecord(burn.long)}${selector} > ${threshold}\n` +
    `and\n${errorRatioRecord(burn.short)}${selector} > ${threshold}`;
  return [
    `      - alert: ${burn.alert}`,
    `        expr: |\n${block(expr, '          ')}`,
    `        for: ${burn.for}`,
    '        labels:',
    `          severity: ${burn.severity}`,
    `          slo: ${quote(slo.name)}`,
    '        annotations:',
    `          summary: ${quote(`${slo.name} is burning its error budget at ${burn.factor}x or more over ${burn.long} and ${burn.short}`)}`,
    `          runbook_url: ${quote(`${RUNBOOK_BASE}${slo.runbook}#${slo.name}`)}`,
  ].join('\n');
}

/** Renders the Prometheus rule file. */
export function renderPrometheusRules(): string {
  const budgets = SLOS.map((slo) =>
    recordingRule('galley:slo_error_budget:ratio', `vector(${slo.errorBudget})`, { slo: slo.name }),
  );
  const breach = recordingRule(
    'galley:queue_age_breach:bool',
    `max(galley_queue_oldest_age_seconds) > bool ${QUEUE_AGE_THRESHOLD_SECONDS}`,
  );
  const ratios = SLO_WINDOWS.flatMap((w) =>
    SLOS.map((slo) => recordingRule(errorRatioRecord(w), slo.errorRatio(w), { slo: slo.name })),
  );
  const alerts = BURN_ALERTS.flatMap((burn) => SLOS.map((slo) => alertRule(slo, burn)));
  const dashboards = DASHBOARD_RECORDS.map(({ record, expr }) => recordingRule(record, expr));
  return [
    '# Generated by src/ops/metrics/slo.ts — do not edit; run',
    '#   npx node src/ops/metrics/slo.ts > deploy/prometheus/rules.yml',
    'groups:',
    '  - name: galley-slo-budgets',
    '    interval: 1m',
    '    rules:',
    ...budgets,
    '  - name: galley-slo-errors',
    '    interval: 30s',
    '    rules:',
    breach,
    ...ratios,
    '  - name: galley-slo-alerts',
    '    interval: 30s',
    '    rules:',
    ...alerts,
    '  - name: galley-dashboards',
    '    interval: 30s',
    '    rules:',
    ...dashboards,
    '',
  ].join('\n');
}

if (import.meta.main) process.stdout.write(renderPrometheusRules());
