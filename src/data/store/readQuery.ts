/**
 * Which compiled queries `Store.prepare` accepts: a SELECT built with the query builder, or raw SQL (`sql` template,
 * `sql.raw`) whose first word is SELECT or WITH — for reads the builder cannot express, such as full-text
 * queries. Prepared reads run outside any transaction (on SQLite, on the read-only connection, where a write
 * would fail), so only statements that read belong here.
 */
import { type CompiledQuery, RawNode, SelectQueryNode } from 'kysely';

const READ_START = /^\s*(?:--[^\n]*\n\s*)*(select|with)\b/i;

/** True for a compiled query that `prepare` takes (see the module comment). */
export function isPreparableRead(compiled: CompiledQuery): boolean {
  if (SelectQueryNode.is(compiled.query)) return true;
  return RawNode.is(compiled.query) && READ_START.test(compiled.sql);
}
