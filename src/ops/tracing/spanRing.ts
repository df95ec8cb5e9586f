/**
 * The in-memory span ring: a span processor keeping the last `capacity` finished spans of this process, for
 * `galley traces` when no OTLP collector is configured. Recording is one array write per span (the span object is
 * kept as the SDK finished it); conversion to JSON happens only when someone dumps the ring.
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { DumpedSpan, DumpedTrace } from './traceDump.ts';

/** Options of SpanRing.traces. */
export interface TraceQuery {
  /** Most traces returned, newest first; default 20. */
  readonly limit?: number;
  /** Only this trace. */
  readonly traceId?: string;
}

const KINDS: Readonly<Record<SpanKind, DumpedSpan['kind']>> = {
  [SpanKind.INTERNAL]: 'internal',
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client',
  [SpanKind.PRODUCER]: 'producer',
  [SpanKind.CONSUMER]: 'consumer',
};

const STATUSES: Readonly<Record<SpanStatusCode, DumpedSpan['status']>> = {
  [SpanStatusCode.UNSET]: 'unset',
  [SpanStatusCode.OK]: 'ok',
  [SpanStatusCode.ERROR]: 'error',
};

type PlainValue = DumpedSpan['attributes'][string];

type Scalar = string | number | boolean | null;

/** A scalar as JSON: other values (maps, bytes, the API allows any value) become their JSON text. */
function scalar(value: unknown): Scalar {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value) ?? String(value);
}

/** An attribute value as JSON: scalars stay, arrays keep scalar members (undefined becomes null). */
function plainValue(value: unknown): PlainValue {
  if (Array.isArray(value)) return value.map((member: unknown) => scalar(member));
  return scalar(value) ?? 'null';
}

/** Attribute values as JSON (undefined values, which the SDK may keep, are left out). */
function plainAttributes(attributes: Attributes | undefined): Record<string, PlainValue> {
  const out: Record<string, PlainValue> = {};
  if (attributes === undefined) return out;
  for (const key of Object.keys(attributes)) {
    const value = attributes[key];
    if (value !== undefined) out[key] = plainValue(value);
  }
  return out;
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

/** The JSON form of one finished span. */
export function dumpSpan(span: ReadableSpan): DumpedSpan {
  const { traceId, spanId } = span.spanContext();
  const startMs = hrTimeToMilliseconds(span.startTime);
  return {
    traceId,
    spanId,
    ...(span.parentSpanContext === undefined ? {} : { parentSpanId: span.parentSpanContext.spanId }),
    name: span.name,
    kind: KINDS[span.kind],
    startTime: new Date(startMs).toISOString(),
    durationMs: round(hrTimeToMilliseconds(span.duration)),
    status: STATUSES[span.status.code],
    ...(span.status.message === undefined || span.status.message === '' ? {} : { statusMessage: span.status.message }),
    attributes: plainAttributes(span.attributes),
    events: span.events.map((event) => ({
      name: event.name,
      offsetMs: round(hrTimeToMilliseconds(event.time) - startMs),
      attributes: plainAttributes(event.attributes),
    })),
    links: span.links.map((link) => ({ traceId: link.context.traceId, spanId: link.context.spanId })),
  };
}

const endMs = (time: HrTime, duration: HrTime): number => hrTimeToMilliseconds(time) + hrTimeToMilliseconds(duration);

const byStart = (a: ReadableSpan, b: ReadableSpan): number =>
  hrTimeToMilliseconds(a.startTime) - hrTimeToMilliseconds(b.startTime);

/**
 * A trace's spans depth first: each span followed by its children, siblings in start order. Start times have
 * millisecond resolution, so sorting by start alone could put a child before its parent.
 */
function treeOrder(spans: readonly ReadableSpan[]): ReadableSpan[] {
  const held = new Set(spans.map((span) => span.spanContext().spanId));
  const children = new Map<string, ReadableSpan[]>();
  const roots: ReadableSpan[] = [];
  for (const span of spans) {
    const parent = span.parentSpanContext?.spanId;
    if (parent === undefined || !held.has(parent)) roots.push(span);
    else children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const out: ReadableSpan[] = [];
  const visit = (span: ReadableSpan): void => {
    out.push(span);
    for (const child of (children.get(span.spanContext().spanId) ?? []).sort(byStart)) visit(child);
  };
  for (const root of roots.sort(byStart)) visit(root);
  return out;
}

/**
 * Groups spans (given oldest first, as they ended) into traces, spans in tree order (treeOrder); the trace whose last span
 * ended most recently comes first.
 */
export function groupTraces(spans: readonly ReadableSpan[]): DumpedTrace[] {
  const byTrace = new Map<string, ReadableSpan[]>();
  for (const span of spans) {
    const id = span.spanContext().traceId;
    const list = byTrace.get(id);
    if (list === undefined) {
      byTrace.set(id, [span]);
      continue;
    }
    // Re-inserting moves the trace to the end of the map's order: the order of last activity.
    list.push(span);
    byTrace.delete(id);
    byTrace.set(id, list);
  }
  const traces: DumpedTrace[] = [];
  for (const [traceId, list] of byTrace) {
    const ordered = treeOrder(list);
    const first = ordered[0];
    if (first === undefined) continue;
    const startMs = Math.min(...ordered.map((span) => hrTimeToMilliseconds(span.startTime)));
    const lastEnd = Math.max(...ordered.map((span) => endMs(span.startTime, span.duration)));
    traces.push({
      traceId,
      rootName: first.name,
      startTime: new Date(startMs).toISOString(),
      durationMs: round(lastEnd - startMs),
      spans: ordered.map(dumpSpan),
    });
  }
  return traces.reverse();
}

/** A span processor holding the last `capacity` finished spans. */
export class SpanRing implements SpanProcessor {
  readonly capacity: number;
  readonly #slots: (ReadableSpan | undefined)[];
  /** Index the next span is written to. */
  #next = 0;
  #held = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('a span ring holds at least one span');
    this.capacity = capacity;
    this.#slots = new Array<ReadableSpan | undefined>(capacity);
  }

  /** Spans currently held. */
  get held(): number {
    return this.#held;
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    this.#slots[this.#next] = span;
    this.#next = (this.#next + 1) % this.capacity;
    if (this.#held < this.capacity) this.#held += 1;
  }

  /** Held spans, oldest first. */
  spans(): ReadableSpan[] {
    const out: ReadableSpan[] = [];
    for (let i = 0; i < this.#held; i += 1) {
      const span = this.#slots[(this.#next - this.#held + i + this.capacity) % this.capacity];
      if (span !== undefined) out.push(span);
    }
    return out;
  }

  /** Held spans grouped by trace, newest trace first. */
  traces(query: TraceQuery = {}): DumpedTrace[] {
    const wanted = query.traceId;
    const spans = wanted === undefined ? this.spans() : this.spans().filter((s) => s.spanContext().traceId === wanted);
    return groupTraces(spans).slice(0, query.limit ?? 20);
  }

  /** Forgets every held span. */
  clear(): void {
    this.#slots.fill(undefined);
    this.#next = 0;
    this.#held = 0;
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {}
}
