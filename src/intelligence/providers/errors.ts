/**
 * Errors of the model-provider layer. Adapters turn every SDK/transport failure into a `ProviderError` whose `code`
 * and `retryable` tell the resilience wrapper and the gateway what to do (retry, break the circuit, fall back,
 * give up) without ever looking at message text. An aborted call is not a ProviderError: adapters rethrow the
 * signal's reason so the caller sees its own timeout/cancellation.
 */
import type { ProviderName } from './port.ts';

/** Why a provider call failed. */
export type ProviderErrorCode =
  | 'rate_limited'
  | 'server_error'
  | 'timeout'
  | 'network'
  | 'bad_request'
  | 'auth'
  | 'invalid_output'
  | 'unavailable';

/** Codes that are worth retrying (transient by nature). */
const RETRYABLE_CODES: ReadonlySet<ProviderErrorCode> = new Set(['rate_limited', 'server_error', 'timeout', 'network']);

/** What a ProviderError is built from. */
export interface ProviderErrorProps {
  /** The provider family that failed. */
  readonly provider: ProviderName;
  readonly code: ProviderErrorCode;
  readonly message: string;
  /** HTTP status, when the provider answered. */
  readonly status?: number;
  /** Overrides the default for `code` (rate_limited, server_error, timeout, network are retryable). */
  readonly retryable?: boolean;
  /** How long the provider asked us to wait (Retry-After / retry-after-ms), in ms. */
  readonly retryAfterMs?: number;
  /** The underlying SDK or transport error. */
  readonly cause?: unknown;
}

/** A failed model call, classified. */
export class ProviderError extends Error {
  /** The provider family that failed. */
  readonly provider: ProviderName;
  /** Stable classification; match on this, never on the message. */
  readonly code: ProviderErrorCode;
  /** HTTP status when the provider answered. */
  readonly status?: number;
  /** True when the same call may succeed if tried again. */
  readonly retryable: boolean;
  /** The provider's requested wait before a retry, in ms. */
  readonly retryAfterMs?: number;

  constructor(props: ProviderErrorProps) {
    super(props.message, props.cause === undefined ? undefined : { cause: props.cause });
    this.name = 'ProviderError';
    this.provider = props.provider;
    this.code = props.code;
    if (props.status !== undefined) this.status = props.status;
    this.retryable = props.retryable ?? RETRYABLE_CODES.has(props.code);
    if (props.retryAfterMs !== undefined) this.retryAfterMs = props.retryAfterMs;
  }
}

/** A model id the registry does not know. */
export class UnknownModelError extends Error {
  /** The id that was asked for. */
  readonly modelId: string;
  constructor(modelId: string) {
    super(`Unknown model "${modelId}"; known models come from the built-in registry and GALLEY_AI_MODELS`);
    this.name = 'UnknownModelError';
    this.modelId = modelId;
  }
}

/**
 * The wait a provider asked for, in ms: `retry-after-ms` (OpenAI's precise form) wins over `retry-after`
 * (delta-seconds or an HTTP date). Undefined when absent, unparsable or negative.
 */
export function retryAfterFromHeaders(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  if (headers === undefined) return undefined;
  const precise = headers.get('retry-after-ms');
  if (precise !== null) {
    const ms = Number.parseFloat(precise);
    if (Number.isFinite(ms) && ms >= 0) return Math.ceil(ms);
  }
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.ceil(Number.parseFloat(value) * 1000);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * Classifies an HTTP error answer. 429 (and Anthropic's 529 "overloaded") → rate_limited; 408 → timeout;
 * other 5xx → server_error; 401/403 → auth; every other 4xx → bad_request (not retryable).
 */
export function errorFromHttpStatus(props: {
  /** The provider that answered. */
  readonly provider: ProviderName;
  readonly status: number;
  readonly headers: Headers | undefined;
  readonly message: string;
  readonly cause?: unknown;
}): ProviderError {
  const { provider, status, message, cause } = props;
  const retryAfterMs = retryAfterFromHeaders(props.headers);
  const base = { provider, status, message, cause, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  if (status === 429 || status === 529) return new ProviderError({ ...base, code: 'rate_limited' });
  if (status === 408) return new ProviderError({ ...base, code: 'timeout' });
  if (status >= 500) return new ProviderError({ ...base, code: 'server_error' });
  if (status === 401 || status === 403) return new ProviderError({ ...base, code: 'auth' });
  return new ProviderError({ ...base, code: 'bad_request' });
}

/** True when `error` is the abort of a signal that timed out (AbortSignal.timeout), i.e. a hung provider. */
export function isTimeoutAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'TimeoutError';
}

/** The error classes both official SDKs (openai, @anthropic-ai/sdk) define, passed in so this file imports neither. */
export interface SdkErrorClasses {
  readonly APIError: abstract new (
    ...args: never[]
  ) => Error & { readonly status: number | undefined; readonly headers: Headers | undefined };
  readonly APIConnectionError: abstract new (...args: never[]) => Error;
  readonly APIConnectionTimeoutError: abstract new (...args: never[]) => Error;
}

/**
 * Turns whatever an SDK call threw into what the port promises: the signal's own reason when the caller aborted
 * (checked first: the SDK reports an abort as its own error class), otherwise a classified ProviderError.
 */
export function fromSdkError(
  provider: ProviderName,
  error: unknown,
  signal: AbortSignal,
  sdk: SdkErrorClasses,
): unknown {
  if (signal.aborted) return signal.reason;
  if (error instanceof ProviderError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof sdk.APIConnectionTimeoutError) {
    return new ProviderError({ provider, code: 'timeout', message, cause: error });
  }
  if (error instanceof sdk.APIConnectionError) {
    return new ProviderError({ provider, code: 'network', message, cause: error });
  }
  if (error instanceof sdk.APIError && error.status !== undefined) {
    return errorFromHttpStatus({ provider, status: error.status, headers: error.headers, message, cause: error });
  }
  // Anything else (a TypeError from the transport, a malformed body) is treated as a network fault: transient.
  return new ProviderError({ provider, code: 'network', message, cause: error });
}

/** The output schema as a plain JSON-schema object (what both SDKs' structured-output fields take). */
export function schemaObject(schema: unknown): Record<string, unknown> {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return {};
  // JSON round trip: drops TypeBox's symbol keys so the body is plain JSON schema.
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
}
