/**
 * The `search` port: per-tenant full-text search. Adapters: `sqlite-fts/` (FTS5, bm25) and `postgres-fts/`
 * (tsvector + GIN, `websearch_to_tsquery`, ts_rank_cd, ts_headline).
 *
 * Contract:
 * - Every call names its tenant; a query never returns another tenant's documents.
 * - Results are ranked best first; each carries a snippet with matches wrapped in `<mark>…</mark>` (other text
 *   HTML-escaped).
 * - Filters narrow by type, status and tag. Pagination is keyset: `next` is an opaque cursor or null.
 * - The query syntax is web-search style on both backends: words (AND), "quoted phrases", `-excluded`, `or`.
 */

/**
 * Which copy of the entries an index holds: `current` (each live entry's draft, for the management API) or
 * `published` (each published entry's published copy, for the delivery API). Same contract, separate tables.
 */
export type SearchCollection = 'current' | 'published';

/** A document as indexed. */
export interface SearchDocument {
  readonly tenantId: string;
  readonly id: string;
  readonly type: string;
  readonly status: string;
  readonly title: string;
  readonly body: string;
  readonly tags: readonly string[];
  /** ISO-8601. */
  readonly updatedAt: string;
}

/** A search request. */
export interface SearchQuery {
  readonly tenantId: string;
  readonly q: string;
  readonly limit: number;
  readonly cursor?: string | null;
  readonly type?: string;
  readonly status?: string;
  readonly tag?: string;
}

/** One ranked hit. */
export interface SearchHit {
  readonly id: string;
  readonly type: string;
  readonly status: string;
  readonly title: string;
  /** Excerpt with `<mark>` around matched terms. */
  readonly snippet: string;
  /** Higher is better; comparable only within one result list. */
  readonly score: number;
  readonly updatedAt: string;
}

/** A page of hits. */
export interface SearchPage {
  readonly items: readonly SearchHit[];
  readonly next: string | null;
}

/** The search port. */
export interface SearchIndex {
  /** Inserts or replaces a document. */
  upsert(doc: SearchDocument): Promise<void>;
  /** Inserts or replaces many documents in one transaction. */
  upsertMany(docs: readonly SearchDocument[]): Promise<void>;
  remove(tenantId: string, id: string): Promise<void>;
  /** Drops every document of a tenant (before a rebuild). */
  clearTenant(tenantId: string): Promise<void>;
  query(query: SearchQuery): Promise<SearchPage>;
}

/** Raised for a query the backend cannot parse or a cursor that is not ours. */
export class SearchQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SearchQueryError';
  }
}
