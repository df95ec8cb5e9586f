/**
 * The web-search query syntax shared by both search adapters: words (AND), "quoted phrases", `-excluded` terms
 * and `or` between terms, with AND binding tighter than OR (as PostgreSQL's `websearch_to_tsquery` reads it).
 * Parsing never fails on odd input: characters that cannot be searched are dropped, and only a query with
 * nothing left to search, an `or` branch made only of exclusions, or too many terms is refused with
 * SearchQueryError. Both adapters parse every query here first, so they accept and refuse the same strings.
 */
import { SearchQueryError } from './port.ts';

/** One term: the word segments of a word or phrase, matched as a phrase (adjacent, in order). */
export type SearchTerm = readonly string[];

/** Terms joined by AND: every `include` term must match and no `exclude` term may. */
export interface SearchGroup {
  readonly include: readonly SearchTerm[];
  readonly exclude: readonly SearchTerm[];
}

/** A parsed query: groups joined by OR. */
export interface ParsedSearchQuery {
  readonly groups: readonly SearchGroup[];
}

/** More terms than this is refused: each one costs an index lookup. */
export const MAX_SEARCH_TERMS = 32;

// Letters, digits, combining marks and private-use characters: what the FTS5 unicode61 tokenizer keeps in a
// token. Everything else separates tokens, so `foo-bar` is the phrase "foo bar" and `*`, `(`, `:` vanish.
const SEGMENT = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;

interface Lexeme {
  readonly kind: 'term' | 'or';
  readonly negated: boolean;
  readonly segments: SearchTerm;
}

function segmentsOf(text: string): SearchTerm {
  return Array.from(text.normalize('NFC').toLowerCase().matchAll(SEGMENT), (m) => m[0]);
}

function lex(q: string): Lexeme[] {
  const out: Lexeme[] = [];
  let i = 0;
  let pendingNegation = false;
  while (i < q.length) {
    const ch = q.charAt(i);
    if (/\s/u.test(ch)) {
      i += 1;
      continue;
    }
    let negated = pendingNegation;
    pendingNegation = false;
    if (ch === '-') {
      negated = true;
      i += 1;
      // A lone "-" before whitespace negates the next term, as websearch_to_tsquery does.
      if (i >= q.length || /\s/u.test(q.charAt(i))) {
        pendingNegation = true;
        continue;
      }
    }
    if (q.charAt(i) === '"') {
      const close = q.indexOf('"', i + 1);
      const end = close === -1 ? q.length : close;
      const segments = segmentsOf(q.slice(i + 1, end));
      i = end + 1;
      if (segments.length > 0) out.push({ kind: 'term', negated, segments });
      continue;
    }
    let end = i;
    while (end < q.length && !/\s/u.test(q.charAt(end)) && q.charAt(end) !== '"') end += 1;
    const word = q.slice(i, end);
    i = end;
    const segments = segmentsOf(word);
    if (segments.length === 0) continue;
    const isOr = !negated && segments.length === 1 && segments[0] === 'or' && word.toLowerCase() === 'or';
    out.push({ kind: isOr ? 'or' : 'term', negated, segments });
  }
  return out;
}

/** Parses a web-search query; throws SearchQueryError when nothing searchable is left. */
export function parseSearchQuery(q: string): ParsedSearchQuery {
  const lexemes = lex(q);
  const groups: { include: SearchTerm[]; exclude: SearchTerm[] }[] = [{ include: [], exclude: [] }];
  let terms = 0;
  let previousWasTerm = false;
  for (const [index, lexeme] of lexemes.entries()) {
    // `or` is an operator only between two terms; at either end, or right after another `or`, it is a word.
    if (lexeme.kind === 'or' && previousWasTerm && index < lexemes.length - 1) {
      groups.push({ include: [], exclude: [] });
      previousWasTerm = false;
      continue;
    }
    const group = groups[groups.length - 1];
    if (group === undefined) throw new Error('unreachable: groups is never empty');
    (lexeme.negated ? group.exclude : group.include).push(lexeme.segments);
    terms += 1;
    previousWasTerm = true;
  }
  if (terms === 0) throw new SearchQueryError('the query has no searchable words');
  if (terms > MAX_SEARCH_TERMS) throw new SearchQueryError(`the query has more than ${MAX_SEARCH_TERMS} terms`);
  for (const group of groups) {
    if (group.include.length === 0) {
      throw new SearchQueryError('every part of the query needs a word that is not excluded');
    }
  }
  return { groups };
}

function fts5Phrase(term: SearchTerm): string {
  // Segments hold only letters, digits and marks, so no `"` can close the string early; the escape is
  // belt-and-braces should SEGMENT ever widen.
  return `"${term.join(' ').replaceAll('"', '""')}"`;
}

/**
 * The parsed query as an FTS5 MATCH expression. Every term is a quoted string, so user input can never produce
 * FTS5 operators, column filters, prefix queries or syntax errors.
 */
export function toFts5Expression(parsed: ParsedSearchQuery): string {
  const groups = parsed.groups.map((group) => {
    const include = group.include.map(fts5Phrase).join(' AND ');
    if (group.exclude.length === 0) return `(${include})`;
    return `((${include}) NOT (${group.exclude.map(fts5Phrase).join(' OR ')}))`;
  });
  return groups.join(' OR ');
}
