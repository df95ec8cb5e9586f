/**
 * The opaque keyset cursor both adapters hand out: base64url JSON of the last hit's `{ score, id }`, so the next
 * page starts strictly after it in (score desc, id asc) order. The SQLite adapter adds `w`, the rank window the
 * hit came from (see sqliteSearch.ts). Anything that does not decode to that shape is a SearchQueryError.
 */
import { SearchQueryError } from './port.ts';

/** Position after which the next page starts. */
export interface SearchCursor {
  /** Score of the last hit returned (exact double, so equality comparisons round-trip). */
  readonly score: number;
  /** Id of the last hit returned; breaks score ties. */
  readonly id: string;
  /** SQLite only: first rowid of the rank window the last hit belongs to. */
  readonly w?: number;
}

/** Encodes a cursor. */
export function encodeCursor(cursor: SearchCursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

/** Decodes a cursor produced by encodeCursor; throws SearchQueryError for anything else. */
export function decodeCursor(raw: string): SearchCursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw new SearchQueryError('the cursor is not valid');
  }
  if (typeof value !== 'object' || value === null) throw new SearchQueryError('the cursor is not valid');
  const { score, id, w } = value as Record<string, unknown>;
  if (typeof score !== 'number' || !Number.isFinite(score) || typeof id !== 'string') {
    throw new SearchQueryError('the cursor is not valid');
  }
  if (w === undefined) return { score, id };
  if (typeof w !== 'number' || !Number.isSafeInteger(w) || w < 0) throw new SearchQueryError('the cursor is not valid');
  return { score, id, w };
}
