/**
 * Argument checks shared by both kv adapters, so that a bad call fails the same way on every backend instead
 * of being coerced differently by SQLite and Redis.
 */
import type { KvWriteOptions } from './port.ts';

/** Throws unless `value` is a safe integer (counters are exact integers on every backend). */
export function assertSafeInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`kv: ${name} must be a safe integer, got ${value}`);
}

/** The write's time to live in whole milliseconds (≥ 1), or undefined for "never expires". */
export function ttlOf(options: KvWriteOptions | undefined): number | undefined {
  const ttlMs = options?.ttlMs;
  if (ttlMs === undefined) return undefined;
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError(`kv: ttlMs must be a positive number, got ${ttlMs}`);
  return Math.max(1, Math.ceil(ttlMs));
}
