/**
 * Opaque keyset cursors: base64url of a small JSON array. They carry position only (never filters or rights), so a
 * tampered cursor can at worst start a page elsewhere in the same filtered, authorised list.
 */
import { GalleyError } from '../../experience/errors/errors.ts';

/** Encodes a keyset position. */
export function encodeCursor(position: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

/** Decodes a cursor made by encodeCursor with the given element kinds; GALLEY_VALIDATION_FAILED otherwise. */
export function decodeCursor<const K extends readonly ('string' | 'number')[]>(
  cursor: string,
  kinds: K,
): { [I in keyof K]: K[I] extends 'string' ? string : number } {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (
    !Array.isArray(value) ||
    value.length !== kinds.length ||
    value.some((v, i) => typeof v !== kinds[i] || (typeof v === 'number' && !Number.isSafeInteger(v)))
  ) {
    throw new GalleyError('GALLEY_VALIDATION_FAILED', 'the cursor is not valid', {
      errors: [{ field: '/cursor', message: 'is not a cursor this list returned', location: 'querystring' }],
    });
  }
  return value as { [I in keyof K]: K[I] extends 'string' ? string : number };
}

/** Checks a page size (1…max, default `fallback`); GALLEY_VALIDATION_FAILED otherwise. */
export function pageSize(limit: number | undefined, max: number, fallback = 20): number {
  const n = limit ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new GalleyError('GALLEY_VALIDATION_FAILED', `limit must be an integer from 1 to ${max}`, {
      errors: [{ field: '/limit', message: `must be an integer from 1 to ${max}`, location: 'querystring' }],
    });
  }
  return n;
}
