/**
 * The one error catalogue. Every failure Galley reports to a client has a stable `code` listed here exactly once,
 * with its HTTP status, a short human title and whether its message may be shown (`isPublic`).
 *
 * Rules:
 * - Codes are never renamed or reused; a retired code stays in the catalogue.
 * - Code matches by class (`instanceof GalleyError`) or by `code`, never by message text.
 * - Adding a code is one line in `ERROR_CATALOGUE`.
 * - Every code has a stable problem type URI, `https://galley.dev/problems/<code in lowercase kebab>`
 *   (GALLEY_NOT_FOUND → `https://galley.dev/problems/galley-not-found`), used as RFC 9457 `type`.
 */

/** What the catalogue says about one code. */
export interface ErrorSpec {
  /** HTTP status sent with the problem. */
  readonly status: number;
  /** Short, constant summary of the problem type (RFC 9457 `title`). */
  readonly title: string;
  /** False when the error's own message could reveal internals; the client then sees only the title. */
  readonly isPublic: boolean;
}

/** Every code Galley reports, once. Keys are the codes. */
export const ERROR_CATALOGUE = Object.freeze({
  GALLEY_BAD_REQUEST: { status: 400, title: 'Bad request', isPublic: true },
  GALLEY_VALIDATION_FAILED: { status: 400, title: 'Request validation failed', isPublic: true },
  GALLEY_BAD_JSON: { status: 400, title: 'Request body is not valid JSON', isPublic: true },
  GALLEY_UNAUTHENTICATED: { status: 401, title: 'Authentication required', isPublic: true },
  GALLEY_FORBIDDEN: { status: 403, title: 'Not allowed', isPublic: true },
  GALLEY_NOT_FOUND: { status: 404, title: 'Not found', isPublic: true },
  GALLEY_METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed', isPublic: true },
  GALLEY_REQUEST_TIMEOUT: { status: 408, title: 'Request not received in time', isPublic: true },
  GALLEY_CONFLICT: { status: 409, title: 'Conflict with the current state', isPublic: true },
  GALLEY_PRECONDITION_FAILED: { status: 412, title: 'Precondition failed', isPublic: true },
  GALLEY_BODY_TOO_LARGE: { status: 413, title: 'Request body too large', isPublic: true },
  GALLEY_URI_TOO_LONG: { status: 414, title: 'Request URI too long', isPublic: true },
  GALLEY_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type', isPublic: true },
  GALLEY_PRECONDITION_REQUIRED: { status: 428, title: 'Precondition required', isPublic: true },
  GALLEY_RATE_LIMITED: { status: 429, title: 'Too many requests', isPublic: true },
  GALLEY_HEADERS_TOO_LARGE: { status: 431, title: 'Request headers too large', isPublic: true },
  GALLEY_INTERNAL: { status: 500, title: 'Internal error', isPublic: false },
  GALLEY_OVERLOADED: { status: 503, title: 'Server overloaded', isPublic: true },
  GALLEY_NOT_READY: { status: 503, title: 'Not ready', isPublic: true },
  GALLEY_SHUTTING_DOWN: { status: 503, title: 'Server shutting down', isPublic: true },
  GALLEY_AUTH_UNAVAILABLE: { status: 503, title: 'Authentication temporarily unavailable', isPublic: true },
  GALLEY_SSO_STATE_INVALID: { status: 400, title: 'Sign-in state is missing, expired or already used', isPublic: true },
  GALLEY_SSO_RESPONSE_INVALID: { status: 400, title: 'Upstream sign-in response failed validation', isPublic: true },
  GALLEY_SSO_EMAIL_UNVERIFIED: { status: 403, title: 'Upstream account has no verified email', isPublic: true },
  GALLEY_SSO_DOMAIN_NOT_ALLOWED: { status: 403, title: 'Email domain not allowed for this tenant', isPublic: true },
  GALLEY_SSO_UPSTREAM_UNAVAILABLE: { status: 502, title: 'Upstream identity provider unavailable', isPublic: true },
  GALLEY_TOKEN_INVALID: { status: 400, title: 'Token is invalid, expired or already used', isPublic: true },
  GALLEY_AUTH_INTERACTION_EXPIRED: { status: 400, title: 'Sign-in request expired or not found', isPublic: true },
  GALLEY_AUTH_NOT_MEMBER: { status: 403, title: 'Not a member of the requested tenant', isPublic: true },
  GALLEY_ENTRY_VERSION_CONFLICT: { status: 412, title: 'Entry version is not the current one', isPublic: true },
  GALLEY_CONTENT_TYPE_INVALID: { status: 400, title: 'Content type definition is not valid', isPublic: true },
  GALLEY_CONTENT_TYPE_BREAKING_CHANGE: {
    status: 409,
    title: 'Content type change would break existing entries',
    isPublic: true,
  },
  GALLEY_ENTRY_SLUG_TAKEN: { status: 409, title: 'Slug already used by another entry of the type', isPublic: true },
  GALLEY_CSRF_REJECTED: { status: 403, title: 'Cross-site request refused', isPublic: true },
  GALLEY_BFF_CALLBACK_INVALID: { status: 400, title: 'Sign-in callback is invalid or expired', isPublic: true },
  GALLEY_IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    title: 'Idempotency-Key reused for a different request',
    isPublic: true,
  },
  GALLEY_IDEMPOTENCY_IN_PROGRESS: {
    status: 409,
    title: 'A request with this Idempotency-Key is in progress',
    isPublic: true,
  },
  GALLEY_AI_TASK_UNKNOWN: { status: 404, title: 'No such AI task', isPublic: true },
  GALLEY_AI_TASK_DISABLED: { status: 403, title: 'This AI task is switched off for you', isPublic: true },
  GALLEY_AI_INPUT_EMPTY: { status: 422, title: 'The entry has no text for this AI task', isPublic: true },
  GALLEY_AI_INPUT_REFUSED: {
    status: 422,
    title: 'Entry holds instructions aimed at the AI; task refuses it',
    isPublic: true,
  },
  GALLEY_AI_BUDGET_EXCEEDED: { status: 429, title: "The tenant's monthly AI budget is used up", isPublic: true },
  GALLEY_AI_PROMPT_MISSING: { status: 503, title: 'No prompt version serves this AI task', isPublic: true },
  GALLEY_AI_TIMEOUT: { status: 504, title: 'The AI task did not finish in time', isPublic: true },
  GALLEY_AI_PROVIDER_FAILED: { status: 502, title: 'The model provider and its fallback failed', isPublic: true },
  GALLEY_AI_PROMOTION_REFUSED: {
    status: 409,
    title: 'Candidate prompt version fails the promotion checks',
    isPublic: true,
  },
} as const satisfies Readonly<Record<`GALLEY_${string}`, ErrorSpec>>);

/** A code from the catalogue. */
export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Base of every problem type URI. */
export const PROBLEM_TYPE_BASE = 'https://galley.dev/problems/';

/** The stable RFC 9457 `type` URI of a code. */
export function problemType(code: ErrorCode): string {
  return `${PROBLEM_TYPE_BASE}${code.toLowerCase().replaceAll('_', '-')}`;
}

/** One invalid input field; `field` is a JSON pointer into the request part named by `location`. */
export interface FieldError {
  /** JSON pointer (RFC 6901), e.g. `/fields/title`; empty string means the whole part. */
  readonly field: string;
  readonly message: string;
  /** Which part of the request held the field. */
  readonly location?: 'body' | 'querystring' | 'params' | 'headers';
}

/** Optional parts of a GalleyError. */
export interface GalleyErrorOptions {
  /** The underlying error; logged, never sent. */
  readonly cause?: unknown;
  /** Per-field problems (validation). */
  readonly errors?: readonly FieldError[];
  /** Sent as the `Retry-After` header, in seconds. */
  readonly retryAfterSeconds?: number;
  /** Extra RFC 9457 extension members for the problem body (cannot override the standard members). */
  readonly extensions?: Readonly<Record<string, unknown>>;
}

/**
 * An error with a catalogued code. Throw it anywhere (use case, policy, route); the HTTP edge renders it as
 * application/problem+json with the catalogued status. The message becomes the problem `detail` only when the
 * code is public.
 */
export class GalleyError extends Error {
  /** The catalogued code; match on this, never on the message. */
  readonly code: ErrorCode;
  readonly status: number;
  readonly title: string;
  readonly isPublic: boolean;
  readonly errors: readonly FieldError[] | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly extensions: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, detail?: string, options: GalleyErrorOptions = {}) {
    const spec: ErrorSpec = ERROR_CATALOGUE[code];
    super(detail ?? spec.title, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GalleyError';
    this.code = code;
    this.status = spec.status;
    this.title = spec.title;
    this.isPublic = spec.isPublic;
    this.errors = options.errors === undefined ? undefined : Object.freeze([...options.errors]);
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.extensions = options.extensions;
  }

  /** The text a client may see: the message for public codes, the title otherwise. */
  get publicDetail(): string {
    return this.isPublic ? this.message : this.title;
  }
}

/** True when `error` is a GalleyError, optionally with the given code. */
export function isGalleyError(error: unknown, code?: ErrorCode): error is GalleyError {
  return error instanceof GalleyError && (code === undefined || error.code === code);
}

/** Markdown table of every code, for the API documentation. */
export function errorCatalogueMarkdown(): string {
  const entries = Object.entries(ERROR_CATALOGUE) as [ErrorCode, ErrorSpec][];
  const rows = entries.map(([code, s]) => `| \`${code}\` | ${s.status} | ${s.title} | \`${problemType(code)}\` |`);
  return ['| code | status | title | type |', '|---|---|---|---|', ...rows].join('\n');
}
