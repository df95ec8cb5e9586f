/**
 * What never reaches a log line: credentials (authorization and cookie headers, passwords, tokens, secrets, keys)
 * and personal data (e-mail addresses, phone numbers). Redaction is by field name at any depth down to
 * REDACT_DEPTH, so a caller logging `{ body }` or `{ headers }` cannot leak a nested `password`. Names are
 * compared case-, dash- and underscore-insensitively (`Authorization`, `client_secret`, `clientSecret`,
 * `x-api-key` …). The walk copies only the branches it changes: the caller's objects are never mutated.
 *
 * It runs as pino's `formatters.log` (and on child bindings), once per line. pino's own path-based `redact`
 * needs one wildcard path per field and depth, which costs ~100 µs per line at this list's size; this walk costs
 * about a microsecond on a typical line.
 *
 * Not covered: free text (`msg`, error messages), and properties of Error objects (serialised by pino's `err`
 * serializer). Never interpolate secrets or addresses into messages. URLs are logged with sensitive query values
 * removed (redactUrl).
 */

/** Replacement written in place of a redacted value. */
export const REDACTED = '[redacted]';

/** Deepest nesting level (0 = the logged object's own fields) at which fields are redacted. */
export const REDACT_DEPTH = 4;

/** A field name reduced to what the comparison looks at. */
function normalise(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

/** Field names whose values are always redacted, in any letter case, with or without `-` and `_`. */
export const SENSITIVE_FIELDS: readonly string[] = Object.freeze([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api_key',
  'password',
  'new_password',
  'current_password',
  'passwd',
  'passphrase',
  'secret',
  'secret_sealed',
  'client_secret',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'private_key',
  'email',
  'phone',
]);

const SENSITIVE = new Set(SENSITIVE_FIELDS.map(normalise));

/** True when a field of this name is always redacted. */
export function isSensitiveField(name: string): boolean {
  return SENSITIVE.has(normalise(name));
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** `value` with sensitive fields replaced, copying only what changes; the same object when nothing does. */
function redactValue(value: unknown, depth: number): unknown {
  if (depth > REDACT_DEPTH || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, index) => {
      const redacted = redactValue(item, depth + 1);
      if (redacted !== item) {
        copy ??= [...value];
        copy[index] = redacted;
      }
    });
    return copy ?? value;
  }
  // Class instances (requests, replies, errors, dates, buffers) are left to their serializers.
  if (!isPlainObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const item = value[key];
    const redacted = item !== undefined && isSensitiveField(key) ? REDACTED : redactValue(item, depth + 1);
    if (redacted !== item) {
      copy ??= { ...value };
      copy[key] = redacted;
    }
  }
  return copy ?? value;
}

/** The fields of one log line (or a child's bindings) with sensitive values replaced. */
export function redactFields(fields: Record<string, unknown>): Record<string, unknown> {
  const redacted = redactValue(fields, 0);
  return redacted === fields || typeof redacted !== 'object' || redacted === null
    ? fields
    : (redacted as Record<string, unknown>);
}

/**
 * Query parameters whose values are credentials or personal data in URLs Galley receives (OAuth codes and
 * states, tokens, signatures, addresses).
 */
const SENSITIVE_QUERY = new Set([
  'code',
  'state',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'client_secret',
  'password',
  'secret',
  'signature',
  'sig',
  'api_key',
  'apikey',
  'key',
  'email',
  'code_verifier',
]);

/** `url` (a request path with optional query) with the values of sensitive query parameters replaced. */
export function redactUrl(url: string): string {
  const question = url.indexOf('?');
  if (question < 0) return url;
  const query = url
    .slice(question + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      if (equals < 0) return pair;
      let name = pair.slice(0, equals);
      try {
        name = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // Undecodable names are compared as written.
      }
      return SENSITIVE_QUERY.has(name.toLowerCase()) ? `${pair.slice(0, equals)}=${REDACTED}` : pair;
    })
    .join('&');
  return `${url.slice(0, question)}?${query}`;
}
