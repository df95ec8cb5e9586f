/**
 * The JSON form of recorded traces, as `GET /api/v1/ops/traces` answers and `galley traces --json` prints: spans
 * grouped by trace, newest trace first, each span with its parent, timing, status and attributes. The schema is
 * the route's response schema; the types are inferred from it.
 */
import { type Static, Type } from 'typebox';

/** An attribute value as OpenTelemetry allows it (arrays are homogeneous). */
export const AttributeValueSchema = Type.Union([
  Type.String(),
  Type.Number(),
  Type.Boolean(),
  Type.Array(Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()])),
]);

/** One finished span. */
export const DumpedSpanSchema = Type.Object({
  traceId: Type.String(),
  spanId: Type.String(),
  parentSpanId: Type.Optional(Type.String()),
  name: Type.String(),
  kind: Type.Union([
    Type.Literal('internal'),
    Type.Literal('server'),
    Type.Literal('client'),
    Type.Literal('producer'),
    Type.Literal('consumer'),
  ]),
  /** ISO-8601 start time. */
  startTime: Type.String(),
  durationMs: Type.Number(),
  status: Type.Union([Type.Literal('unset'), Type.Literal('ok'), Type.Literal('error')]),
  statusMessage: Type.Optional(Type.String()),
  attributes: Type.Record(Type.String(), AttributeValueSchema),
  /** Span events (exceptions among them), with their offset from the span's start. */
  events: Type.Array(
    Type.Object({
      name: Type.String(),
      offsetMs: Type.Number(),
      attributes: Type.Record(Type.String(), AttributeValueSchema),
    }),
  ),
  links: Type.Array(Type.Object({ traceId: Type.String(), spanId: Type.String() })),
});

/** One trace: its spans in start order. */
export const DumpedTraceSchema = Type.Object({
  traceId: Type.String(),
  /** Name of the span without a parent in this process's ring (the first span when every span has one). */
  rootName: Type.String(),
  startTime: Type.String(),
  /** From the first span's start to the last span's end. */
  durationMs: Type.Number(),
  spans: Type.Array(DumpedSpanSchema),
});

/** `GET /api/v1/ops/traces` 200 body. */
export const TraceDumpSchema = Type.Object({
  /** Where this process's spans go: the in-memory ring, an OTLP collector, or nowhere (tracing off). */
  exporter: Type.Union([Type.Literal('ring'), Type.Literal('otlp'), Type.Literal('off')]),
  /** Spans the ring holds at most (0 unless exporter is `ring`). */
  capacity: Type.Integer(),
  /** Spans currently held. */
  held: Type.Integer(),
  traces: Type.Array(DumpedTraceSchema),
});

/** One dumped span. */
export type DumpedSpan = Static<typeof DumpedSpanSchema>;
/** One dumped trace. */
export type DumpedTrace = Static<typeof DumpedTraceSchema>;
/** The dump. */
export type TraceDump = Static<typeof TraceDumpSchema>;
