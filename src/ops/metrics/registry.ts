/**
 * The metrics of one Galley app instance: its own prom-client Registry (never the global default one, so tests
 * can build many apps in one process), every family from families.ts, and typed recorders that pass each label
 * through its guard (labels.ts). Code records through these recorders, never through the raw families, so no
 * caller can put a tenant id, raw URL or free text into a label. Recorders never throw; a nonsensical amount
 * (negative, NaN) is dropped.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { JobHandler } from '../../data/queue/port.ts';
import { createFamilies, type MetricFamilies } from './families.ts';
import {
  AI_CALL_OUTCOMES,
  AI_JOB_OUTCOMES,
  AUTH_OUTCOMES,
  AUTH_REASONS,
  BoundedLabel,
  BUDGET_WARNING_LEVELS,
  JOB_OUTCOMES,
  methodLabel,
  OVERFLOW_LABEL,
  oneOf,
  REFRESH_OUTCOMES,
  ROUTE_PATTERN,
  statusClass,
  tierLabel,
  UNMATCHED_ROUTE,
  WEBHOOK_OUTCOMES,
} from './labels.ts';
import { type MetricsSources, SourceReadings } from './sources.ts';

export type { BudgetReading, PoolReading } from './readings.ts';
export type { MetricsSources } from './sources.ts';

/** Prefix of every Galley series, including prom-client's default process and Node.js metrics. */
export const METRIC_PREFIX = 'galley_';

/** Options of createMetrics. */
export interface CreateMetricsOptions {
  /** Also register prom-client's process/Node.js metrics (CPU, heap, GC, handles); default true. */
  readonly collectDefault?: boolean;
  /** Ports read at scrape time; more can be attached later with `useSources`. */
  readonly sources?: MetricsSources;
  /** Longest wait for one queue's stats during a scrape; default 2000 ms. */
  readonly sourceTimeoutMs?: number;
  /** Told about each failed scrape-time reading (after it is counted), e.g. to log it. */
  readonly onCollectError?: (source: string, error: unknown) => void;
}

/** One finished HTTP request. */
export interface HttpRecord {
  readonly method: string;
  /** The route template (`request.routeOptions.url`); undefined when no route matched. */
  readonly route: string | undefined;
  readonly statusCode: number;
  readonly seconds: number;
}

/** One model call. */
export interface AiCallRecord {
  readonly task: string;
  readonly model: string;
  /** The tenant's tier (free|standard|enterprise); never the tenant id. */
  readonly tier: string | undefined;
  readonly outcome: (typeof AI_CALL_OUTCOMES)[number];
  readonly seconds?: number;
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly costUsd?: number;
}

/** One AI job reaching its final outcome. */
export interface AiJobRecord {
  readonly task: string;
  readonly outcome: (typeof AI_JOB_OUTCOMES)[number];
  /** From enqueue to the final outcome. */
  readonly seconds: number;
}

/** One login attempt. */
export interface LoginRecord {
  /** `password`, `device`, `client_credentials` or the upstream IdP's configured name. */
  readonly provider: string;
  readonly outcome: (typeof AUTH_OUTCOMES)[number];
  /** Why it failed, from AUTH_REASONS; omitted on success. */
  readonly reason?: (typeof AUTH_REASONS)[number];
  readonly seconds: number;
}

/** The metrics of one app instance. */
export interface GalleyMetrics {
  /** This instance's registry. */
  readonly registry: Registry;
  /** The raw families, for reading in tests; record through the methods below. */
  readonly families: MetricFamilies;
  /** Content-Type of `scrape()` output (Prometheus text format 0.0.4). */
  readonly contentType: string;
  /** Attaches ports read at scrape time (merged over earlier ones). */
  useSources(sources: MetricsSources): void;
  /** Collects every family and renders the Prometheus text format. */
  scrape(): Promise<string>;
  recordHttp(record: HttpRecord): void;
  recordAiCall(record: AiCallRecord): void;
  recordAiJob(record: AiJobRecord): void;
  /** A retrieval for `task` found related context (hit) or nothing (miss). */
  recordRetrieval(task: string, hit: boolean): void;
  /** A tenant of `tier` crossed a budget warning level (0.8, 0.95 or 1). */
  recordBudgetWarning(tier: string | undefined, level: number): void;
  recordLogin(record: LoginRecord): void;
  recordRefresh(outcome: (typeof REFRESH_OUTCOMES)[number]): void;
  recordWebhookDelivery(outcome: (typeof WEBHOOK_OUTCOMES)[number], seconds?: number): void;
  /**
   * Wraps a queue handler so its runs feed the worker and job families (busy ratio, outcomes, durations). Call
   * once per `queue.process` with the same concurrency.
   */
  instrumentJob<P, R>(queue: string, concurrency: number, handler: JobHandler<P, R>): JobHandler<P, R>;
  /** Stops the event-loop monitor and empties the registry. */
  close(): void;
}

/** A non-negative finite amount, or undefined. */
function amount(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Creates the registry and every family of one app instance. */
export function createMetrics(options: CreateMetricsOptions = {}): GalleyMetrics {
  const registry = new Registry();
  const guard = {
    route: new BoundedLabel({ max: 500, maxLength: 200, pattern: ROUTE_PATTERN }),
    cache: new BoundedLabel({ max: 64 }),
    queue: new BoundedLabel({ max: 64 }),
    task: new BoundedLabel({ max: 64 }),
    model: new BoundedLabel({ max: 64, maxLength: 100 }),
    provider: new BoundedLabel({ max: 40 }),
    aiOutcome: oneOf(AI_CALL_OUTCOMES, OVERFLOW_LABEL),
    aiJobOutcome: oneOf(AI_JOB_OUTCOMES, OVERFLOW_LABEL),
    jobOutcome: oneOf(JOB_OUTCOMES, OVERFLOW_LABEL),
    authOutcome: oneOf(AUTH_OUTCOMES, OVERFLOW_LABEL),
    authReason: oneOf(AUTH_REASONS, OVERFLOW_LABEL),
    refresh: oneOf(REFRESH_OUTCOMES, OVERFLOW_LABEL),
    webhook: oneOf(WEBHOOK_OUTCOMES, OVERFLOW_LABEL),
    level: oneOf(BUDGET_WARNING_LEVELS, OVERFLOW_LABEL),
  };
  // The failure sink needs the families, which need the readings: the sink is tied in once both exist.
  let families: MetricFamilies | undefined;
  const readings = new SourceReadings(
    { cache: guard.cache, queue: guard.queue, tier: tierLabel },
    options.sourceTimeoutMs ?? 2000,
    (source, error) => {
      families?.collectErrors.inc({ source });
      try {
        options.onCollectError?.(source, error);
      } catch {
        // A failing logger must not fail the scrape.
      }
    },
  );
  const f = createFamilies(registry, readings);
  families = f;
  if (options.sources !== undefined) readings.use(options.sources);
  if (options.collectDefault ?? true) collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });

  const route = (raw: string | undefined) => (raw === undefined ? UNMATCHED_ROUTE : guard.route.value(raw));

  return {
    registry,
    families: f,
    contentType: registry.contentType,
    useSources: (sources) => readings.use(sources),
    scrape: () => registry.metrics(),

    recordHttp({ method, route: template, statusCode, seconds }) {
      const labels = { method: methodLabel(method), route: route(template) };
      f.httpRequests.inc({ ...labels, status_class: statusClass(statusCode) });
      const duration = amount(seconds);
      if (duration !== undefined) f.httpDuration.observe(labels, duration);
    },

    recordAiCall(record) {
      const labels = { task: guard.task.value(record.task), model: guard.model.value(record.model) };
      const tier = tierLabel(record.tier);
      f.aiCalls.inc({ ...labels, tier, outcome: guard.aiOutcome(record.outcome) });
      const seconds = amount(record.seconds);
      if (seconds !== undefined) f.aiCallDuration.observe(labels, seconds);
      const input = amount(record.inputTokens);
      if (input !== undefined) f.aiTokens.inc({ ...labels, tier, direction: 'input' }, input);
      const output = amount(record.outputTokens);
      if (output !== undefined) f.aiTokens.inc({ ...labels, tier, direction: 'output' }, output);
      const cost = amount(record.costUsd);
      if (cost !== undefined) f.aiCost.inc({ ...labels, tier }, cost);
    },

    recordAiJob({ task, outcome, seconds }) {
      const duration = amount(seconds);
      if (duration === undefined) return;
      f.aiJobDuration.observe({ task: guard.task.value(task), outcome: guard.aiJobOutcome(outcome) }, duration);
    },

    recordRetrieval(task, hit) {
      (hit ? f.retrievalHits : f.retrievalMisses).inc({ task: guard.task.value(task) });
    },

    recordBudgetWarning(tier, level) {
      f.aiBudgetWarnings.inc({ tier: tierLabel(tier), level: guard.level(String(level)) });
    },

    recordLogin({ provider, outcome, reason, seconds }) {
      const labels = { provider: guard.provider.value(provider), outcome: guard.authOutcome(outcome) };
      f.authLogins.inc({ ...labels, reason: guard.authReason(reason ?? 'none') });
      const duration = amount(seconds);
      if (duration !== undefined) f.authLoginDuration.observe(labels, duration);
    },

    recordRefresh(outcome) {
      f.authRefreshes.inc({ outcome: guard.refresh(outcome) });
    },

    recordWebhookDelivery(outcome, seconds) {
      f.webhookDeliveries.inc({ outcome: guard.webhook(outcome) });
      const duration = amount(seconds);
      if (duration !== undefined) f.webhookDuration.observe(duration);
    },

    instrumentJob(queue, concurrency, handler) {
      const label = guard.queue.value(queue);
      const tracker = readings.tracker(label, (seconds) => f.workerBusySeconds.inc({ queue: label }, seconds));
      tracker.addSlots(concurrency);
      return async (job, signal) => {
        const end = f.queueJobDuration.startTimer({ queue: label });
        tracker.start();
        try {
          const result = await handler(job, signal);
          f.queueJobs.inc({ queue: label, outcome: 'completed' });
          return result;
        } catch (error) {
          f.queueJobs.inc({ queue: label, outcome: guard.jobOutcome(signal.aborted ? 'cancelled' : 'failed') });
          throw error;
        } finally {
          tracker.end();
          end();
        }
      };
    },

    close() {
      readings.close();
      registry.clear();
    },
  };
}
