/**
 * Canonical JSON of entry fields: object keys sorted (recursively), no whitespace. Stored rows, revisions and the
 * content hash all use it, so equal content gives equal text on every backend and in every replay.
 */
import { createHash } from 'node:crypto';
import type { EntryFields } from './types.ts';

function sortValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortValue);
  if (value !== null && typeof value === 'object') {
    const source = value as Record<string, unknown>;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(source).sort()) {
      const v = source[key];
      if (v !== undefined) sorted[key] = sortValue(v);
    }
    return sorted;
  }
  return value;
}

/** The canonical JSON text of a value (keys sorted, undefined members dropped). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortValue(value)) ?? 'null';
}

/** A frozen copy of `fields` with keys in canonical order. */
export function canonicalFields(fields: EntryFields): EntryFields {
  return Object.freeze(sortValue(fields) as Record<string, unknown>);
}

/** sha256 hex of the canonical JSON of `fields`: the content hash events and rows carry. */
export function contentHash(fields: EntryFields): string {
  return createHash('sha256').update(canonicalJson(fields)).digest('hex');
}
