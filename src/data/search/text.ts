/**
 * Text handling shared by the search adapters: what is stored for indexing, and how a backend's highlighted
 * excerpt becomes safe HTML. Backends mark matches with two control characters that indexed text can never
 * contain (they are stripped on the way in), so the whole excerpt can be HTML-escaped first and the markers
 * turned into `<mark>` tags afterwards without any chance of user text forging a tag.
 */

/** Start-of-match marker handed to FTS5 `snippet()` / `ts_headline` (STX). */
export const MARK_START = '\u0002';
/** End-of-match marker (ETX). */
export const MARK_END = '\u0003';

// NUL cannot be stored in PostgreSQL text; the markers must never occur in indexed text; U+0001 starts the
// SQLite adapter's filter tokens.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching exactly these control characters is the point.
const UNINDEXABLE = /[\u0000-\u0003]/g;

/** Removes the characters the index reserves (markers, filter-token prefix, NUL) from text about to be indexed. */
export function indexableText(text: string): string {
  return text.replace(UNINDEXABLE, '');
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** HTML-escapes an excerpt, then turns the match markers into `<mark>` / `</mark>`. */
export function excerptToHtml(excerpt: string): string {
  return excerpt
    .replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch)
    .replaceAll(MARK_START, '<mark>')
    .replaceAll(MARK_END, '</mark>');
}

/** True when the excerpt highlights at least one match. */
export function hasMatchMarker(excerpt: string): boolean {
  return excerpt.includes(MARK_START);
}

/** Checks the page size both adapters accept. */
export function assertSearchLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SEARCH_LIMIT) {
    throw new RangeError(`search limit must be an integer from 1 to ${MAX_SEARCH_LIMIT}, got ${limit}`);
  }
}

/** Largest page a query may ask for. */
export const MAX_SEARCH_LIMIT = 200;
