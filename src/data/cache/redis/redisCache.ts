/**
 * Distributed cache adapter: each named cache keeps an in-process LRU (localTier.ts) in front of Redis, where
 * values live as JSON at `${prefix}:cache:${name}:${key}` with a PX expiry.
 *
 * Invalidation: `delete` (and `set`, which replaces a value) publishes the key on `${prefix}:cache:invalidate`;
 * every other provider on the same prefix evicts it from its LRU when the message arrives, well within a second.
 * A provider stores nothing locally until its own subscription is confirmed, so no copy can miss a later
 * invalidation; after a reconnect, when messages may have been lost, it drops its whole local tier.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { CacheRegistry, type SharedEntry, type SharedTier } from '../localTier.ts';
import type { CacheProvider } from '../port.ts';

/** Where the distributed cache lives. */
export interface RedisCacheOptions {
  /** `redis://` or `rediss://` URL. */
  readonly url: string;
  /** Namespace of every key and channel the caches touch. */
  readonly prefix: string;
}

/** One invalidation on the wire. `origin` lets a provider skip its own messages. */
interface Invalidation {
  readonly origin: string;
  readonly cache: string;
  readonly key: string;
}

function parseInvalidation(message: string): Invalidation | undefined {
  try {
    const parsed: unknown = JSON.parse(message);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { origin, cache, key } = parsed as Record<string, unknown>;
    if (typeof origin !== 'string' || typeof cache !== 'string' || typeof key !== 'string') return undefined;
    return { origin, cache, key };
  } catch {
    // Not ours (another publisher on the channel): nothing to evict.
    return undefined;
  }
}

/** Creates the Redis-backed cache provider; `close()` quits its two connections. */
export function createRedisCacheProvider(options: RedisCacheOptions): CacheProvider {
  const origin = randomUUID();
  const channel = `${options.prefix}:cache:invalidate`;
  const keyOf = (name: string, key: string) => `${options.prefix}:cache:${name}:${key}`;
  const registry = new CacheRegistry();
  const redis = new Redis(options.url);
  const subscriber = redis.duplicate();

  let connectedBefore = false;
  subscriber.on('ready', () => {
    // ioredis resubscribes by itself after a reconnect, but what was published meanwhile is gone.
    if (connectedBefore) for (const cache of registry.all()) cache.clearLocal();
    connectedBefore = true;
  });
  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    const invalidation = parseInvalidation(message);
    if (invalidation === undefined || invalidation.origin === origin) return;
    registry.find(invalidation.cache)?.evictLocal(invalidation.key);
  });
  const subscribed = subscriber.subscribe(channel);
  // Failures surface to whoever awaits `subscribed`; this only keeps an early failure from being unhandled.
  subscribed.catch(() => undefined);

  async function broadcast(name: string, key: string): Promise<void> {
    const invalidation: Invalidation = { origin, cache: name, key };
    await redis.publish(channel, JSON.stringify(invalidation));
  }

  const shared: SharedTier = {
    async get(name, key): Promise<SharedEntry | undefined> {
      await subscribed;
      const [json, pttl] = await Promise.all([redis.get(keyOf(name, key)), redis.pttl(keyOf(name, key))]);
      if (json === null || pttl === -2) return undefined;
      // -1: stored without expiry (not by this adapter); the cache's own TTL then bounds the local copy.
      return { value: JSON.parse(json), ttlMs: pttl === -1 ? Number.POSITIVE_INFINITY : pttl };
    },
    async set(name, key, value, ttlMs, announce) {
      await subscribed;
      await redis.set(keyOf(name, key), JSON.stringify(value), 'PX', Math.max(1, Math.ceil(ttlMs)));
      if (announce) await broadcast(name, key);
    },
    async delete(name, key) {
      await redis.del(keyOf(name, key));
      await broadcast(name, key);
    },
  };

  return {
    create: (name, cacheOptions) => registry.create(name, cacheOptions, shared),
    all: () => registry.all(),
    async close() {
      for (const cache of registry.all()) cache.clearLocal();
      await Promise.all([redis.quit(), subscriber.quit()]);
    },
  };
}
