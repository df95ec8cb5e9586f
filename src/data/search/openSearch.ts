/** Picks the search adapter that matches a store's dialect. */
import type { Store } from '../store/port.ts';
import type { SearchCollection, SearchIndex } from './port.ts';
import { createPostgresSearch } from './postgres-fts/postgresSearch.ts';
import { createSqliteSearch } from './sqlite-fts/sqliteSearch.ts';

/** The search index of `collection` (default `current`) over `store`: FTS5 on SQLite, tsvector on PostgreSQL. */
export function openSearchIndex(store: Store, collection: SearchCollection = 'current'): SearchIndex {
  return store.dialect === 'sqlite'
    ? createSqliteSearch(store, { collection })
    : createPostgresSearch(store, { collection });
}
