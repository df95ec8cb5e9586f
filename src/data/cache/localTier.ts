/**
 * The in-process tier both cache adapters share: a bounded LRU with TTLs, hit/miss counters, and single-flight
 * loading. The memory adapter is this tier alone; the Redis adapter puts a `SharedTier` (Redis) behind it and
 * evicts from it when another process invalidates a key.
 *
 * Staleness rule: an invalidation (`delete`, `set`, or a remote eviction) marks every lookup or load of that
 * key still in flight as stale, and a stale result is returned to its callers but never stored, so a value read
 * before an invalidation cannot land in the cache after it.
 *
 * Values are held by reference: callers treat cached values as immutable.
 */
import { LRUCache } from 'lru-cache';
import type { Cache, CacheOptions, CacheStats } from './port.ts';

/** A value found in the shared tier and how long it has left there. */
export interface SharedEntry {
  readonly value: unknown;
  readonly ttlMs: number;
}

/** A tier behind the local LRU, visible to every process (Redis). */
export interface SharedTier {
  /** Reads a key of cache `name`; undefined when absent. */
  get(name: string, key: string): Promise<SharedEntry | undefined>;
  /** Writes a key; `broadcast` also evicts it from every other process's local tier. */
  set(name: string, key: string, value: unknown, ttlMs: number, broadcast: boolean): Promise<void>;
  /** Removes a key and evicts it from every other process's local tier. */
  delete(name: string, key: string): Promise<void>;
}

/** One in-flight computation per key; `invalidate` makes the current one stale and lets a new one start. */
class SingleFlight<T> {
  readonly #flights = new Map<string, { readonly promise: Promise<T>; readonly status: { stale: boolean } }>();

  run(key: string, produce: (isStale: () => boolean) => Promise<T>): Promise<T> {
    const running = this.#flights.get(key);
    if (running !== undefined) return running.promise;
    const status = { stale: false };
    const promise = produce(() => status.stale).finally(() => {
      if (this.#flights.get(key)?.status === status) this.#flights.delete(key);
    });
    this.#flights.set(key, { promise, status });
    return promise;
  }

  invalidate(key: string): void {
    const flight = this.#flights.get(key);
    if (flight === undefined) return;
    flight.status.stale = true;
    this.#flights.delete(key);
  }

  invalidateAll(): void {
    for (const key of [...this.#flights.keys()]) this.invalidate(key);
  }
}

/** A cache as its provider manages it: the port's methods plus eviction from this process only. */
export interface ManagedCache extends Cache<unknown> {
  /** Drops a key from this process only (an invalidation received from another process). */
  evictLocal(key: string): void;
  /** Drops every key from this process only (after missed invalidations, e.g. a lost subscription). */
  clearLocal(): void;
}

/** Where a value came from: a cache tier (a hit) or the caller's loader (a miss). */
interface Found<V> {
  readonly value: V;
  readonly hit: boolean;
}

/** A named cache: the local LRU, optionally backed by a shared tier. */
export class TieredCache<V> implements Cache<V> {
  readonly name: string;
  readonly #options: CacheOptions;
  readonly #shared: SharedTier | undefined;
  // lru-cache stores only non-nullish values; boxing admits JSON `null`.
  readonly #local: LRUCache<string, { readonly value: V }>;
  readonly #lookups = new SingleFlight<SharedEntry | undefined>();
  readonly #loads = new SingleFlight<Found<V>>();
  #hits = 0;
  #misses = 0;

  constructor(name: string, options: CacheOptions, shared?: SharedTier) {
    if (!Number.isInteger(options.max) || options.max < 1) throw new RangeError(`cache ${name}: max must be ≥ 1`);
    assertTtl(name, options.ttlMs);
    this.name = name;
    this.#options = options;
    this.#shared = shared;
    this.#local = new LRUCache({ max: options.max, ttl: options.ttlMs });
  }

  async get(key: string): Promise<V | undefined> {
    const local = this.#local.get(key);
    if (local !== undefined) return this.#count(true, local.value);
    const found = await this.#lookup(key);
    return found === undefined ? this.#count(false, undefined) : this.#count(true, found);
  }

  async set(key: string, value: V, ttlMs: number = this.#options.ttlMs): Promise<void> {
    assertStorable(this.name, value);
    assertTtl(this.name, ttlMs);
    this.#invalidateFlights(key);
    // Shared tier first: once the local copy exists, other processes must already be able to see the value.
    await this.#shared?.set(this.name, key, value, ttlMs, true);
    this.#local.set(key, { value }, { ttl: ttlMs });
  }

  async delete(key: string): Promise<void> {
    this.evictLocal(key);
    await this.#shared?.delete(this.name, key);
  }

  async getOrLoad(key: string, load: () => Promise<V>, ttlMs: number = this.#options.ttlMs): Promise<V> {
    assertTtl(this.name, ttlMs);
    const local = this.#local.get(key);
    if (local !== undefined) return this.#count(true, local.value);
    const found = await this.#loads.run(key, async (isStale) => {
      const shared = await this.#lookup(key);
      if (shared !== undefined) return { value: shared, hit: true };
      const value = await load();
      assertStorable(this.name, value);
      if (!isStale()) {
        // No broadcast: the key was absent from the shared tier, so no process holds a live copy to evict.
        await this.#shared?.set(this.name, key, value, ttlMs, false);
        if (!isStale()) this.#local.set(key, { value }, { ttl: ttlMs });
      }
      return { value, hit: false };
    });
    return this.#count(found.hit, found.value);
  }

  stats(): CacheStats {
    return { hits: this.#hits, misses: this.#misses, size: this.#local.size };
  }

  /** Drops a key from this process only (an invalidation received from another process). */
  evictLocal(key: string): void {
    this.#invalidateFlights(key);
    this.#local.delete(key);
  }

  /** Drops every key from this process only (after missed invalidations, e.g. a lost subscription). */
  clearLocal(): void {
    this.#lookups.invalidateAll();
    this.#loads.invalidateAll();
    this.#local.clear();
  }

  /** Reads the shared tier (one request per key at a time) and keeps what it finds locally. */
  async #lookup(key: string): Promise<V | undefined> {
    const shared = this.#shared;
    if (shared === undefined) return undefined;
    const entry = await this.#lookups.run(key, async (isStale) => {
      const found = await shared.get(this.name, key);
      if (found !== undefined && !isStale()) {
        const ttl = Math.min(found.ttlMs, this.#options.ttlMs);
        this.#local.set(key, { value: found.value as V }, { ttl });
      }
      return found;
    });
    // The shared tier holds what this cache stored: JSON of a V, so the parsed value is a V.
    return entry === undefined ? undefined : (entry.value as V);
  }

  #invalidateFlights(key: string): void {
    this.#lookups.invalidate(key);
    this.#loads.invalidate(key);
  }

  #count<T>(hit: boolean, value: T): T {
    if (hit) this.#hits += 1;
    else this.#misses += 1;
    return value;
  }
}

function assertTtl(name: string, ttlMs: number): void {
  // lru-cache reads a ttl of 0 as "never expires", so a zero or negative ttl must not reach it.
  if (!(ttlMs > 0 && Number.isFinite(ttlMs)))
    throw new RangeError(`cache ${name}: ttlMs must be positive, got ${ttlMs}`);
}

function assertStorable(name: string, value: unknown): void {
  // `undefined` cannot round-trip through JSON and would read back as a miss.
  if (value === undefined) throw new TypeError(`cache ${name}: undefined cannot be cached`);
}

/** The named caches of one provider; names are unique because they are metric labels and key namespaces. */
export class CacheRegistry {
  readonly #caches = new Map<string, ManagedCache>();

  /** Creates a cache, refusing a name already in use. */
  create<V>(name: string, options: CacheOptions, shared?: SharedTier): TieredCache<V> {
    if (this.#caches.has(name)) throw new Error(`cache "${name}" already exists`);
    const cache = new TieredCache<V>(name, options, shared);
    this.#caches.set(name, cache);
    return cache;
  }

  /** The cache called `name`, if created. */
  find(name: string): ManagedCache | undefined {
    return this.#caches.get(name);
  }

  /** Every cache, in creation order. */
  all(): readonly ManagedCache[] {
    return [...this.#caches.values()];
  }
}
