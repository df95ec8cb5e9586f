/**
 * Every Galley metric family, declared in one place: name, help, label names, buckets. Families fed by a port
 * (caches, queues, pool, budgets, workers, event loop) read it in a `collect` callback at scrape time through
 * `Readings` (readings.ts), wrapped so they never throw. Label values arriving here are already guarded.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { QueueStats } from '../../data/queue/port.ts';
import { type Readings, safely, safelyAsync } from './readings.ts';

/** Request latency buckets (seconds), dense around the SLO thresholds (0.1 s delivery, 0.25 s management). */
export const HTTP_DURATION_BUCKETS = Object.freeze([0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]);
/** Login latency buckets (password logins are argon2-bound, upstream IdPs cross the network). */
export const LOGIN_DURATION_BUCKETS = Object.freeze([0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
/** Model call latency buckets. */
export const AI_CALL_BUCKETS = Object.freeze([0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]);
/** Enqueue-to-finish buckets of AI jobs; 30 s is the completion SLO threshold. */
export const AI_JOB_BUCKETS = Object.freeze([0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]);
/** Run-time buckets of queued jobs and webhook deliveries. */
export const JOB_BUCKETS = Object.freeze([0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300]);

/** Queue collect: awaits the shared snapshot, then replaces the family's series in one synchronous step. */
function queueGauge(read: Readings, pick: (stats: QueueStats) => number) {
  return safelyAsync<Gauge<'queue'>>('queue', read, async (gauge) => {
    const readings = await read.queues();
    gauge.reset();
    for (const { queue, stats } of readings) gauge.set({ queue }, pick(stats));
  });
}

/** Creates every family in `registry`. */
export function createFamilies(registry: Registry, read: Readings) {
  const registers = [registry];
  return {
    // RED
    httpRequests: new Counter({
      name: 'galley_http_requests_total',
      help: 'HTTP requests by method, route template and status class.',
      labelNames: ['method', 'route', 'status_class'] as const,
      registers,
    }),
    httpDuration: new Histogram({
      name: 'galley_http_request_duration_seconds',
      help: 'HTTP request duration from arrival to response end, by method and route template.',
      labelNames: ['method', 'route'] as const,
      buckets: [...HTTP_DURATION_BUCKETS],
      registers,
    }),

    // USE: runtime
    eventLoopUtilization: new Gauge({
      name: 'galley_event_loop_utilization',
      help: 'Fraction of time the event loop was busy since the previous scrape.',
      registers,
      collect: safely<Gauge>('event_loop', read, (gauge) => gauge.set(read.eventLoop().utilization)),
    }),
    eventLoopDelay: new Gauge({
      name: 'galley_event_loop_delay_seconds',
      help: 'Event-loop delay since the previous scrape (perf_hooks monitorEventLoopDelay), by statistic.',
      labelNames: ['stat'] as const,
      registers,
      collect: safely<Gauge<'stat'>>('event_loop', read, (gauge) => {
        const { delay } = read.eventLoop();
        for (const stat of ['p50', 'p90', 'p99', 'max'] as const) gauge.set({ stat }, delay[stat]);
      }),
    }),

    // USE: store pool
    storePool: new Gauge({
      name: 'galley_store_pool_connections',
      help: 'Store connection pool: connections in use, idle, and callers waiting for one.',
      labelNames: ['state'] as const,
      registers,
      collect: safely<Gauge<'state'>>('pool', read, (gauge) => {
        const pool = read.pool();
        if (pool === undefined) return;
        gauge.set({ state: 'in_use' }, pool.inUse);
        gauge.set({ state: 'idle' }, pool.idle);
        gauge.set({ state: 'waiting' }, pool.waiting);
      }),
    }),

    // USE: queues and workers
    queueDepth: new Gauge({
      name: 'galley_queue_depth',
      help: 'Jobs waiting or delayed, per queue.',
      labelNames: ['queue'] as const,
      registers,
      collect: queueGauge(read, (stats) => stats.depth),
    }),
    queueOldestAge: new Gauge({
      name: 'galley_queue_oldest_age_seconds',
      help: 'Age of the oldest job ready to run, per queue (0 when none).',
      labelNames: ['queue'] as const,
      registers,
      collect: queueGauge(read, (stats) => stats.oldestAgeMs / 1000),
    }),
    queueActive: new Gauge({
      name: 'galley_queue_active_jobs',
      help: 'Jobs running now, per queue (all workers).',
      labelNames: ['queue'] as const,
      registers,
      collect: queueGauge(read, (stats) => stats.active),
    }),
    queueDeadLetters: new Gauge({
      name: 'galley_queue_dead_letters',
      help: 'Dead-lettered jobs held, per queue.',
      labelNames: ['queue'] as const,
      registers,
      collect: queueGauge(read, (stats) => stats.deadLettered),
    }),
    queueJobs: new Counter({
      name: 'galley_queue_jobs_total',
      help: 'Job attempts run by this process, per queue and outcome.',
      labelNames: ['queue', 'outcome'] as const,
      registers,
    }),
    queueJobDuration: new Histogram({
      name: 'galley_queue_job_duration_seconds',
      help: 'Run time of one job attempt, per queue.',
      labelNames: ['queue'] as const,
      buckets: [...JOB_BUCKETS],
      registers,
    }),
    workerBusyRatio: new Gauge({
      name: 'galley_worker_busy_ratio',
      help: 'Busy worker slot-time over available slot-time since the previous scrape, per queue.',
      labelNames: ['queue'] as const,
      registers,
      collect: safely<Gauge<'queue'>>('workers', read, (gauge) => {
        for (const worker of read.workers()) gauge.set({ queue: worker.queue }, worker.busyRatio);
      }),
    }),
    workerConcurrency: new Gauge({
      name: 'galley_worker_concurrency',
      help: 'Jobs this process runs at once, per queue.',
      labelNames: ['queue'] as const,
      registers,
      collect: safely<Gauge<'queue'>>('workers', read, (gauge) => {
        for (const worker of read.workerSlots()) gauge.set({ queue: worker.queue }, worker.concurrency);
      }),
    }),
    workerBusySeconds: new Counter({
      name: 'galley_worker_busy_seconds_total',
      help: 'Busy worker slot-seconds, per queue; rate() / galley_worker_concurrency is a scrape-independent ratio.',
      labelNames: ['queue'] as const,
      registers,
    }),

    // Caches and retrieval
    cacheHits: new Counter({
      name: 'galley_cache_hits_total',
      help: 'Cache lookups answered from the cache, per cache.',
      labelNames: ['cache'] as const,
      registers,
      collect: safely<Counter<'cache'>>('cache', read, (counter) => {
        for (const { cache, stats } of read.caches()) counter.inc({ cache }, stats.hits);
      }),
    }),
    cacheMisses: new Counter({
      name: 'galley_cache_misses_total',
      help: 'Cache lookups that missed, per cache.',
      labelNames: ['cache'] as const,
      registers,
      collect: safely<Counter<'cache'>>('cache', read, (counter) => {
        for (const { cache, stats } of read.caches()) counter.inc({ cache }, stats.misses);
      }),
    }),
    cacheEntries: new Gauge({
      name: 'galley_cache_entries',
      help: 'Entries held in this process, per cache.',
      labelNames: ['cache'] as const,
      registers,
      collect: safely<Gauge<'cache'>>('cache', read, (gauge) => {
        for (const { cache, stats } of read.caches()) gauge.inc({ cache }, stats.size);
      }),
    }),
    retrievalHits: new Counter({
      name: 'galley_retrieval_hits_total',
      help: 'Retrievals that found related context, per AI task.',
      labelNames: ['task'] as const,
      registers,
    }),
    retrievalMisses: new Counter({
      name: 'galley_retrieval_misses_total',
      help: 'Retrievals that found nothing, per AI task.',
      labelNames: ['task'] as const,
      registers,
    }),

    // Intelligence plane
    aiCalls: new Counter({
      name: 'galley_ai_calls_total',
      help: 'Model calls by task, model, tenant tier and outcome.',
      labelNames: ['task', 'model', 'tier', 'outcome'] as const,
      registers,
    }),
    aiCallDuration: new Histogram({
      name: 'galley_ai_call_duration_seconds',
      help: 'Model call latency by task and model.',
      labelNames: ['task', 'model'] as const,
      buckets: [...AI_CALL_BUCKETS],
      registers,
    }),
    aiTokens: new Counter({
      name: 'galley_ai_tokens_total',
      help: 'Model tokens by task, model, tenant tier and direction (input|output).',
      labelNames: ['task', 'model', 'tier', 'direction'] as const,
      registers,
    }),
    aiCost: new Counter({
      name: 'galley_ai_cost_usd_total',
      help: 'Model cost in US dollars by task, model and tenant tier.',
      labelNames: ['task', 'model', 'tier'] as const,
      registers,
    }),
    aiJobDuration: new Histogram({
      name: 'galley_ai_job_duration_seconds',
      help: 'AI job time from enqueue to final outcome, by task and outcome (completed|failed|cancelled).',
      labelNames: ['task', 'outcome'] as const,
      buckets: [...AI_JOB_BUCKETS],
      registers,
    }),
    aiBudgetUsage: new Gauge({
      name: 'galley_ai_budget_usage_ratio',
      help: 'Highest month-to-date usage over monthly cap among the tenants of a tier.',
      labelNames: ['tier'] as const,
      registers,
      collect: safely<Gauge<'tier'>>('budgets', read, (gauge) => {
        for (const { tier, ratio } of read.budgets()) gauge.set({ tier }, ratio);
      }),
    }),
    aiBudgetWarnings: new Counter({
      name: 'galley_ai_budget_warnings_total',
      help: 'Budget warnings raised, by tenant tier and level (0.8, 0.95, 1 = cap reached).',
      labelNames: ['tier', 'level'] as const,
      registers,
    }),

    // Auth
    authLoginDuration: new Histogram({
      name: 'galley_auth_login_duration_seconds',
      help: 'Login latency by identity provider and outcome.',
      labelNames: ['provider', 'outcome'] as const,
      buckets: [...LOGIN_DURATION_BUCKETS],
      registers,
    }),
    authLogins: new Counter({
      name: 'galley_auth_logins_total',
      help: 'Login attempts by identity provider, outcome and failure reason.',
      labelNames: ['provider', 'outcome', 'reason'] as const,
      registers,
    }),
    authRefreshes: new Counter({
      name: 'galley_auth_refreshes_total',
      help: 'Refresh-token exchanges by outcome.',
      labelNames: ['outcome'] as const,
      registers,
    }),

    // Webhooks
    webhookDeliveries: new Counter({
      name: 'galley_webhook_deliveries_total',
      help: 'Webhook delivery attempts by outcome.',
      labelNames: ['outcome'] as const,
      registers,
    }),
    webhookDuration: new Histogram({
      name: 'galley_webhook_delivery_duration_seconds',
      help: 'Webhook delivery attempt latency (request to subscriber response).',
      buckets: [...JOB_BUCKETS],
      registers,
    }),

    // The metrics pipeline itself
    collectErrors: new Counter({
      name: 'galley_metrics_collect_errors_total',
      help: 'Scrape-time readings that failed or timed out, by source.',
      labelNames: ['source'] as const,
      registers,
      // Families are collected concurrently; wait for the async readings so their failures show in this scrape.
      async collect() {
        await read.settled();
      },
    }),
  };
}

/** Every Galley metric family (prom-client objects; record through GalleyMetrics to keep labels guarded). */
export type MetricFamilies = ReturnType<typeof createFamilies>;
