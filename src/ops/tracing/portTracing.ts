/**
 * Spans for the kv, cache and search ports, made only under a recording parent (spans.ts `childSpan`), behaviour
 * unchanged. What is recorded is what an operator needs and no tenant data:
 *
 * - kv: `kv <operation>` with the key's namespace (the text before the first `:`), never the key or value;
 * - cache: `cache <operation> <name>` with `galley.cache.hit` for reads; a loader runs inside its span, so the
 *   store queries of a miss nest under it;
 * - search: `search <operation>` with the result count; never the query text or documents.
 */
import { type Attributes, type Span, SpanKind } from '@opentelemetry/api';
import { ATTR_DB_OPERATION_NAME, ATTR_DB_SYSTEM_NAME } from '@opentelemetry/semantic-conventions';
import type { Cache, CacheOptions, CacheProvider } from '../../data/cache/port.ts';
import type { Kv, KvWriteOptions } from '../../data/kv/port.ts';
import type { SearchDocument, SearchIndex, SearchQuery } from '../../data/search/port.ts';
import { childSpan } from './spans.ts';

/** The namespace of a kv key: the text before its first `:` (the whole key has tenant ids and tokens). */
function namespaceOf(key: string): string {
  const colon = key.indexOf(':');
  return colon === -1 ? '(none)' : key.slice(0, colon);
}

/** The kv port with spans; `system` is `sqlite` or `redis`. */
export function traceKv(kv: Kv, system: string): Kv {
  const call = <T>(operation: string, key: string, fn: () => Promise<T>): Promise<T> =>
    childSpan(
      `kv ${operation}`,
      SpanKind.CLIENT,
      { [ATTR_DB_SYSTEM_NAME]: system, [ATTR_DB_OPERATION_NAME]: operation, 'galley.kv.namespace': namespaceOf(key) },
      fn,
    );
  return {
    get: (key) => call('get', key, () => kv.get(key)),
    set: (key, value, options?: KvWriteOptions) => call('set', key, () => kv.set(key, value, options)),
    delete: (key) => call('delete', key, () => kv.delete(key)),
    compareAndSet: (key, expected, next, options) =>
      call('compareAndSet', key, () => kv.compareAndSet(key, expected, next, options)),
    increment: (key, delta, options) => call('increment', key, () => kv.increment(key, delta, options)),
    incrementWithLimit: (key, delta, limit, options) =>
      call('incrementWithLimit', key, () => kv.incrementWithLimit(key, delta, limit, options)),
    publish: (channel, message) => call('publish', channel, () => kv.publish(channel, message)),
    subscribe: (channel, listener) => kv.subscribe(channel, listener),
    ping: () => kv.ping(),
    close: () => kv.close(),
  };
}

/** One cache with spans. */
function traceCache<V>(cache: Cache<V>): Cache<V> {
  const attributes = (extra: Attributes = {}): Attributes => ({ 'galley.cache.name': cache.name, ...extra });
  return {
    name: cache.name,
    get: (key) =>
      childSpan(`cache get ${cache.name}`, SpanKind.INTERNAL, attributes(), async (span) => {
        const value = await cache.get(key);
        span?.setAttribute('galley.cache.hit', value !== undefined);
        return value;
      }),
    set: (key, value, ttlMs) =>
      childSpan(`cache set ${cache.name}`, SpanKind.INTERNAL, attributes(), () => cache.set(key, value, ttlMs)),
    delete: (key) => childSpan(`cache delete ${cache.name}`, SpanKind.INTERNAL, attributes(), () => cache.delete(key)),
    getOrLoad: (key, load, ttlMs) =>
      childSpan(`cache getOrLoad ${cache.name}`, SpanKind.INTERNAL, attributes(), async (span) => {
        let loaded = false;
        const value = await cache.getOrLoad(
          key,
          () => {
            loaded = true;
            return load();
          },
          ttlMs,
        );
        span?.setAttribute('galley.cache.hit', !loaded);
        return value;
      }),
    stats: () => cache.stats(),
  };
}

/** The cache provider whose caches make spans; `all()` answers the original caches (metrics read their stats). */
export function traceCaches(caches: CacheProvider): CacheProvider {
  return {
    create<V>(name: string, options: CacheOptions): Cache<V> {
      return traceCache(caches.create<V>(name, options));
    },
    all: () => caches.all(),
    close: () => caches.close(),
  };
}

/** The search port with spans. */
export function traceSearch(search: SearchIndex): SearchIndex {
  const call = <T>(operation: string, extra: Attributes, fn: (span: Span | undefined) => Promise<T>) =>
    childSpan(`search ${operation}`, SpanKind.CLIENT, { [ATTR_DB_OPERATION_NAME]: operation, ...extra }, fn);
  return {
    upsert: (doc: SearchDocument) => call('upsert', {}, () => search.upsert(doc)),
    upsertMany: (docs) => call('upsertMany', { 'galley.search.documents': docs.length }, () => search.upsertMany(docs)),
    remove: (tenantId, id) => call('remove', {}, () => search.remove(tenantId, id)),
    clearTenant: (tenantId) => call('clearTenant', {}, () => search.clearTenant(tenantId)),
    query: (query: SearchQuery) =>
      call('query', { 'galley.search.limit': query.limit }, async (span) => {
        const page = await search.query(query);
        span?.setAttribute('galley.search.results', page.items.length);
        return page;
      }),
  };
}
