/**
 * Label safety. Every label value Galley records passes through one of these guards, so no series can be keyed by
 * a raw URL, id, tenant, e-mail or free text: a label is either one of a fixed allow-list (`oneOf`) or drawn from
 * a set that is bounded by construction and capped anyway (`BoundedLabel`: route templates, cache and queue
 * names, models). Exceeding a cap folds the value into `OVERFLOW_LABEL` instead of growing the registry.
 */

/** Value a capped label takes once its cap is reached or when a value is malformed. */
export const OVERFLOW_LABEL = 'other';

/** Route label of requests no route matched (404, 405); never the raw URL. */
export const UNMATCHED_ROUTE = 'unmatched';

/** HTTP methods recorded as themselves; anything else is `OTHER`. */
export const HTTP_METHODS = Object.freeze(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const);

/** Status classes of the RED counter. */
export const STATUS_CLASSES = Object.freeze(['1xx', '2xx', '3xx', '4xx', '5xx'] as const);

/** Tenant tiers: the only tenant attribute a metric may carry (never the tenant id). */
export const TENANT_TIERS = Object.freeze(['free', 'standard', 'enterprise'] as const);

/** Tier recorded when a caller's tier is missing or not in TENANT_TIERS. */
export const UNKNOWN_TIER = 'unknown';

/** A tenant tier label value. */
export type TierLabel = (typeof TENANT_TIERS)[number] | typeof UNKNOWN_TIER;

/** Outcome of one login attempt. */
export const AUTH_OUTCOMES = Object.freeze(['success', 'failure'] as const);

/** Why a login failed (`none` on success). A bounded vocabulary: never the error message. */
export const AUTH_REASONS = Object.freeze([
  'none',
  'invalid_credentials',
  'unknown_user',
  'locked',
  'mfa_required',
  'mfa_failed',
  'expired',
  'invalid_request',
  'invalid_state',
  'invalid_nonce',
  'upstream_error',
  'not_member',
  'rate_limited',
  'denied',
  'internal',
] as const);

/** Built-in identity providers; upstream IdPs add their configured names (capped). */
export const BUILTIN_AUTH_PROVIDERS = Object.freeze(['password', 'device', 'client_credentials'] as const);

/** Outcome of one refresh-token exchange. */
export const REFRESH_OUTCOMES = Object.freeze([
  'rotated',
  'grace_reused',
  'reuse_detected',
  'expired',
  'revoked',
  'invalid',
] as const);

/** Outcome of one webhook delivery attempt. */
export const WEBHOOK_OUTCOMES = Object.freeze([
  'delivered',
  'failed',
  'timeout',
  'retrying',
  'gone',
  'dead_lettered',
] as const);

/** Outcome of one model call. */
export const AI_CALL_OUTCOMES = Object.freeze([
  'ok',
  'cached',
  'reused',
  'fallback',
  'error',
  'timeout',
  'refused',
  'budget_exceeded',
] as const);

/** Final outcome of one AI job (a queued task run). */
export const AI_JOB_OUTCOMES = Object.freeze(['completed', 'failed', 'cancelled'] as const);

/** Final outcome of one queued job attempt. */
export const JOB_OUTCOMES = Object.freeze(['completed', 'failed', 'cancelled'] as const);

/** Budget warning levels (fraction of the monthly cap). */
export const BUDGET_WARNING_LEVELS = Object.freeze(['0.8', '0.95', '1'] as const);

/** Direction of counted model tokens. */
export const TOKEN_DIRECTIONS = Object.freeze(['input', 'output'] as const);

/**
 * Returns a guard that maps a raw value to itself when it is in `allowed`, else to `fallback`.
 * @param allowed the complete vocabulary of the label
 * @param fallback value recorded for anything else
 */
export function oneOf<T extends string, F extends string>(
  allowed: readonly T[],
  fallback: F,
): (raw: string | undefined) => T | F {
  const set = new Set<string>(allowed);
  return (raw) => (raw !== undefined && set.has(raw) ? (raw as T) : fallback);
}

/** Maps an HTTP method to itself when standard, else `OTHER`. */
export const methodLabel = oneOf(HTTP_METHODS, 'OTHER');

/** Maps a tenant tier to itself when known, else `unknown`. */
export const tierLabel: (raw: string | undefined) => TierLabel = oneOf(TENANT_TIERS, UNKNOWN_TIER);

/** The status class (`2xx` …) of an HTTP status code; `other` outside 100–599. */
export function statusClass(status: number): (typeof STATUS_CLASSES)[number] | typeof OVERFLOW_LABEL {
  if (!Number.isInteger(status) || status < 100 || status > 599) return OVERFLOW_LABEL;
  return STATUS_CLASSES[Math.floor(status / 100) - 1] ?? OVERFLOW_LABEL;
}

/** Options of a BoundedLabel. */
export interface BoundedLabelOptions {
  /** Most distinct values kept; later new values become OVERFLOW_LABEL. */
  readonly max: number;
  /** Longest value kept. */
  readonly maxLength?: number;
  /** Characters a value may contain; anything else makes the value OVERFLOW_LABEL. */
  readonly pattern?: RegExp;
}

/** Names of code-defined things: caches, queues, tasks, models, IdPs. */
export const NAME_PATTERN = /^[A-Za-z0-9_.:/@+-]+$/;

/** Fastify route templates: `/api/v1/tenants/:tenant/entries/:id`, `/cdn/*`. */
export const ROUTE_PATTERN = /^[A-Za-z0-9_.:/*{}()?+@=~-]+$/;

/**
 * A label whose values come from a set that is finite by construction (route templates, configured names) but
 * is not known up front. It remembers the first `max` distinct well-formed values and maps every later new
 * value to OVERFLOW_LABEL, so a bug that leaks a raw id into the label cannot grow the registry without bound.
 */
export class BoundedLabel {
  readonly #seen = new Set<string>();
  readonly #max: number;
  readonly #maxLength: number;
  readonly #pattern: RegExp;

  constructor(options: BoundedLabelOptions) {
    this.#max = options.max;
    this.#maxLength = options.maxLength ?? 64;
    this.#pattern = options.pattern ?? NAME_PATTERN;
  }

  /** The label value to record for `raw`. */
  value(raw: string | undefined): string {
    if (raw === undefined || raw.length === 0 || raw.length > this.#maxLength || !this.#pattern.test(raw)) {
      return OVERFLOW_LABEL;
    }
    if (this.#seen.has(raw)) return raw;
    if (this.#seen.size >= this.#max) return OVERFLOW_LABEL;
    this.#seen.add(raw);
    return raw;
  }

  /** How many distinct values have been admitted. */
  get size(): number {
    return this.#seen.size;
  }
}
