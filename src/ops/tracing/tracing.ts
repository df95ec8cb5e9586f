/**
 * Tracing set-up, once per process (`galley serve`, a benchmark's server, a test file): an OpenTelemetry tracer
 * provider registered as the global one, with AsyncLocalStorage context and W3C trace-context propagation.
 *
 * - `OTEL_EXPORTER_OTLP_ENDPOINT` set: finished spans are batched to `<endpoint>/v1/traces` (OTLP/HTTP, JSON).
 * - otherwise, `GALLEY_TRACE_RING_SIZE` > 0: the last N spans stay in an in-memory ring (`galley traces` reads it
 *   through `GET /api/v1/ops/traces`);
 * - otherwise tracing is off: no provider is registered and the instrumentation creates nothing.
 *
 * Sampling is decided from the trace id with the same ratio as request logging (GALLEY_LOG_SAMPLE_RATE unless
 * `sampleRate` is given): OpenTelemetry's TraceIdRatioBased arithmetic, which ops/logging/sampling.ts repeats, so a
 * sampled log line has its trace and every process a trace crosses makes the same decision (a remote parent's
 * flag is not trusted over the id). A local parent's decision is inherited.
 */
import { randomUUID } from 'node:crypto';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_INSTANCE_ID, ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { Config } from '../../config/config.ts';
import { SpanRing } from './spanRing.ts';
import { installTracer, TRACER_NAME } from './spans.ts';
import type { TraceDump } from './traceDump.ts';

/** Options of startTracing. */
export interface TracingOptions {
  /** `service.name` of the spans (e.g. `galley`, `galley-worker`). */
  readonly serviceName: string;
  /** Fraction of traces recorded, 0–1; default the configuration's log sample rate (so logs and traces agree). */
  readonly sampleRate?: number;
  /** OTLP batch delay in ms (default 1000); tests flush with `flush()` instead of waiting. */
  readonly exportDelayMs?: number;
}

/** What startTracing returns. */
export interface Tracing {
  /** Where spans go. */
  readonly exporter: TraceDump['exporter'];
  /** The in-memory ring, when spans go there. */
  readonly ring: SpanRing | undefined;
  /** Exports every finished span now (OTLP); resolves when the collector answered. */
  flush(): Promise<void>;
  /** Flushes, then unregisters the provider, context manager and propagator (tracing is off afterwards). */
  shutdown(): Promise<void>;
}

const OFF: Tracing = Object.freeze({
  exporter: 'off' as const,
  ring: undefined,
  flush: async () => {},
  shutdown: async () => {},
});

let current: Tracing = OFF;

/** The process's tracing (exporter `off` until startTracing ran). */
export function currentTracing(): Tracing {
  return current;
}

/** The ring's dump (empty unless spans go to the ring). */
export function dumpTraces(query: { readonly limit?: number; readonly traceId?: string } = {}): TraceDump {
  const ring = current.ring;
  return {
    exporter: current.exporter,
    capacity: ring?.capacity ?? 0,
    held: ring?.held ?? 0,
    traces: ring?.traces(query) ?? [],
  };
}

/** The sampler: a decision from the trace id for new and remote-parented traces, a local parent's otherwise. */
function samplerFor(rate: number): Sampler {
  const byId = rate >= 1 ? new AlwaysOnSampler() : new TraceIdRatioBasedSampler(Math.max(0, rate));
  return new ParentBasedSampler({ root: byId, remoteParentSampled: byId, remoteParentNotSampled: byId });
}

/**
 * Starts tracing for this process as the configuration says; a second call before `shutdown` throws (the
 * provider is process-global). Returns the `off` handle when neither an endpoint nor a ring is configured.
 */
export function startTracing(config: Config, options: TracingOptions): Tracing {
  if (current !== OFF) throw new Error('tracing already started in this process');
  const endpoint = config.otlpEndpoint;
  if (endpoint === undefined && config.traceRingSize === 0) return OFF;

  const ring = endpoint === undefined ? new SpanRing(config.traceRingSize) : undefined;
  const processor: SpanProcessor =
    ring ??
    new BatchSpanProcessor({
      exporter: new OTLPTraceExporter({ url: `${endpoint?.replace(/\/+$/, '')}/v1/traces` }),
      scheduledDelayMillis: options.exportDelayMs ?? 1000,
      maxQueueSize: 8192,
      maxExportBatchSize: 1024,
    });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      [ATTR_SERVICE_INSTANCE_ID]: randomUUID(),
    }),
    sampler: samplerFor(options.sampleRate ?? config.logSampleRate),
    spanLimits: { attributeValueLengthLimit: 2048, attributeCountLimit: 64, eventCountLimit: 32 },
    spanProcessors: [processor],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  installTracer(provider.getTracer(TRACER_NAME));

  const started: Tracing = {
    exporter: ring === undefined ? 'otlp' : 'ring',
    ring,
    flush: () => provider.forceFlush(),
    async shutdown() {
      if (current !== started) return;
      installTracer(undefined);
      current = OFF;
      try {
        await provider.shutdown();
      } finally {
        trace.disable();
        propagation.disable();
        context.disable();
      }
    },
  };
  current = started;
  return started;
}
