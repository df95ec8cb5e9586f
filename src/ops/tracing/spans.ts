/**
 * The span helpers every instrumented part of Galley uses. They read the process's tracer from here: startTracing
 * (tracing.ts) installs it, and while none is installed (tracing off, or a process that never started it) every
 * helper runs its function directly and creates nothing, so instrumented code costs a function call when off.
 *
 * Child spans of the data plane are made only under a recording parent (`childSpan`): a store query outside any
 * request or job (a background poll) records nothing, and an unsampled request does not pay for children whose
 * trace will be dropped anyway.
 */
import {
  type Attributes,
  context,
  INVALID_SPAN_CONTEXT,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { TraceCarrier } from '../../data/queue/port.ts';

/** Instrumentation scope of Galley's spans. */
export const TRACER_NAME = 'galley';

let installed: Tracer | undefined;

/** Installs (or, with undefined, removes) the tracer the helpers use; called by startTracing and its shutdown only. */
export function installTracer(tracer: Tracer | undefined): void {
  installed = tracer;
}

/** The process's tracer, or undefined while tracing is off. */
export function activeTracer(): Tracer | undefined {
  return installed;
}

/** Records `error` on `span` and marks it failed; `error.type` is the error's class or code. */
export function recordFailure(span: Span, error: unknown): void {
  if (error instanceof Error) {
    span.recordException(error);
    const code = (error as { code?: unknown }).code;
    span.setAttribute('error.type', typeof code === 'string' ? code : error.name);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  } else {
    span.setAttribute('error.type', '_OTHER');
    span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
  }
}

/** Runs `fn` as `span`'s body in its context, ending the span when the promise settles (failures recorded). */
function runIn<T>(span: Span, fn: (span: Span) => Promise<T>): Promise<T> {
  const ctx = trace.setSpan(context.active(), span);
  return context.with(ctx, async () => {
    try {
      return await fn(span);
    } catch (error) {
      recordFailure(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Options of withSpan. */
export interface WithSpanOptions {
  /** Span kind; default INTERNAL. */
  readonly kind?: SpanKind;
}

/**
 * Runs `fn` inside a new span named `name` (a child of the active span, or a new trace's root) and ends it when
 * `fn` settles; a rejection is recorded on the span and rethrown. Tracing off: `fn` runs with a non-recording span.
 */
export function withSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T>,
  options: WithSpanOptions = {},
): Promise<T> {
  const tracer = installed;
  if (tracer === undefined) return fn(trace.wrapSpanContext(INVALID_SPAN_CONTEXT));
  return runIn(tracer.startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes }), fn);
}

/** True when the active span records (a sampled request or job is running). */
export function insideRecordingSpan(): boolean {
  return installed !== undefined && trace.getActiveSpan()?.isRecording() === true;
}

/**
 * A data-plane span: like withSpan, but only under a recording parent; otherwise `fn` runs untraced (it receives
 * undefined). `fn` runs in the span's context, so work it starts (a cache loader's query) nests under it.
 */
export function childSpan<T>(
  name: string,
  kind: SpanKind,
  attributes: Attributes,
  fn: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  const tracer = installed;
  if (tracer === undefined || trace.getActiveSpan()?.isRecording() !== true) return fn(undefined);
  return runIn(tracer.startSpan(name, { kind, attributes }), fn);
}

/**
 * The active trace context as propagation entries (W3C `traceparent`, `tracestate`), for a job's `traceContext`
 * or an outgoing request's headers; an empty object when there is no active trace or tracing is off.
 */
export function currentTraceCarrier(): TraceCarrier {
  if (installed === undefined) return {};
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return Object.freeze(carrier);
}
