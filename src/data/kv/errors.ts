/** Errors of the kv port, the same class on every backend so callers can match them by class or `code`. */

/** A counter operation met a key that holds something other than a canonical integer string. */
export class KvNotAnIntegerError extends Error {
  /** Stable code for the error catalogue. */
  readonly code = 'GALLEY_KV_NOT_AN_INTEGER';
  /** The key whose value is not an integer. */
  readonly key: string;
  constructor(key: string) {
    super(`kv: value at "${key}" is not an integer`);
    this.name = 'KvNotAnIntegerError';
    this.key = key;
  }
}
