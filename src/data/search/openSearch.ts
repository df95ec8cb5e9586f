/** Picks the search adapter that matches a store's dialect. */
import type { Store } from '../store/port.ts';
import type { SearchIndex } from './port.ts';
import { createPostgresSearch } from './postgres-fts/postgresSearch.ts';
import { createSqliteSearch } from './sqlite-fts/sqliteSearch.ts';

/** The search index over `store`: FTS5 on SQLite, tsvector on PostgreSQL. */
export function openSearchIndex(store: Store): SearchIndex {
  return store.dialect === 'sqlite' ? createSqliteSearch(store) : createPostgresSearch(store);
}
