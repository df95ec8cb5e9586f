/**
 * The opaque keyset cursor both adapters hand out: base64url JSON of the last hit's `{ score, id }`, so the next
 * page starts strictly after it in (score desc, id asc) order, plus where the last hit's rank window starts: `w`
 * (SQLite: the window's first rowid, see sqliteSearch.ts) or `wu`/`wi` (PostgreSQL: the `updated_at` and id of
 * the window's newest member, see postgresSearch.ts). Anything that does not decode to that shape is a
 * SearchQueryError.
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
  /** PostgreSQL only: `updated_at` of the newest member of the last hit's rank window. */
  readonly wu?: string;
  /** PostgreSQL only: id of the newest member of the last hit's rank window (with `wu`). */
  readonly wi?: string;
}

/** Encodes a cursor. */
export function encodeCursor(cursor: SearchCursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

function invalid(): never {
  throw new SearchQueryError('the cursor is not valid');
}

/** Decodes a cursor produced by encodeCursor; throws SearchQueryError for anything else. */
export function decodeCursor(raw: string): SearchCursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    invalid();
  }
  if (typeof value !== 'object' || value === null) invalid();
  const { score, id, w, wu, wi } = value as Record<string, unknown>;
  if (typeof score !== 'number' || !Number.isFinite(score) || typeof id !== 'string') invalid();
  if (w !== undefined && (typeof w !== 'number' || !Number.isSafeInteger(w) || w < 0)) invalid();
  if ((wu === undefined) !== (wi === undefined)) invalid();
  if (wu !== undefined && (typeof wu !== 'string' || typeof wi !== 'string')) invalid();
  return {
    score,
    id,
    ...(typeof w === 'number' ? { w } : {}),
    ...(typeof wu === 'string' && typeof wi === 'string' ? { wu, wi } : {}),
  };
}
