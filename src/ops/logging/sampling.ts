/**
 * Deterministic log sampling. A request is in the sample when its trace id falls under the rate, computed exactly
 * as OpenTelemetry's `TraceIdRatioBasedSampler` does (XOR of the id's 32-bit words against `rate · 0xffffffff`),
 * so a trace sampler configured with the same ratio keeps the same requests whose logs are kept: an operator who
 * finds a sampled log line also finds its trace, in every process the trace crossed. Without a trace id (tracing
 * off) the request id is hashed instead, which is still stable for the request.
 */
import { createHash } from 'node:crypto';

/** A W3C trace id: 32 lower-case hex digits, not all zero. */
const TRACE_ID = /^(?!0{32})[0-9a-f]{32}$/;

/** True when `traceId` is a valid W3C trace id. */
export function isTraceId(traceId: string): boolean {
  return TRACE_ID.test(traceId);
}

/** The trace id's 32-bit words XORed together, as TraceIdRatioBasedSampler accumulates it. */
function accumulate(hex: string): number {
  let accumulation = 0;
  for (let position = 0; position < hex.length; position += 8) {
    accumulation = (accumulation ^ Number.parseInt(hex.slice(position, position + 8), 16)) >>> 0;
  }
  return accumulation;
}

/** The upper bound of a sampling ratio, clamped to [0, 1] (non-numbers sample nothing). */
function upperBound(rate: number): number {
  if (!(rate > 0)) return 0;
  return Math.floor(Math.min(1, rate) * 0xffffffff);
}

/**
 * True when the request identified by `traceId` (or, lacking a valid trace id, `fallbackKey`) is in a `rate`
 * sample. Rate 1 keeps everything, 0 nothing.
 */
export function sampledIn(rate: number, traceId: string | undefined, fallbackKey: string): boolean {
  if (rate >= 1) return true;
  const bound = upperBound(rate);
  if (bound === 0) return false;
  if (traceId !== undefined && isTraceId(traceId)) return accumulate(traceId) < bound;
  const digest = createHash('sha256').update(fallbackKey).digest('hex').slice(0, 32);
  return accumulate(digest) < bound;
}

/** The trace id of a W3C `traceparent` header value, when well-formed. */
export function traceIdOfTraceparent(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}/.exec(header.trim());
  const traceId = match?.[1];
  return traceId !== undefined && isTraceId(traceId) ? traceId : undefined;
}
