/**
 * Distributed kv adapter on Redis (ioredis). Keys live at `${prefix}:kv:${key}` and channels at
 * `${prefix}:kv-channel:${channel}`, so several deployments (or test files) can share one server.
 *
 * Atomicity comes from the server: the limited increment and compare-and-set are Lua scripts, plain writes are
 * single commands, and TTLs use PX so they expire on the server's clock. Publish/subscribe uses Redis pub/sub;
 * subscriptions need a connection of their own (a subscribed connection accepts no other commands), opened on
 * the first `subscribe`.
 */
import { Redis } from 'ioredis';
import { assertSafeInteger, ttlOf } from '../arguments.ts';
import { KvNotAnIntegerError } from '../errors.ts';
import type { IncrementResult, Kv, KvListener, KvWriteOptions } from '../port.ts';
import { defineKvScripts, INCREMENT_APPLIED, INCREMENT_NOT_INTEGER } from './scripts.ts';

/** Where the distributed kv lives. */
export interface RedisKvOptions {
  /** `redis://` or `rediss://` URL. */
  readonly url: string;
  /** Namespace of every key and channel this kv touches. */
  readonly prefix: string;
}

/** The listeners of one channel and the SUBSCRIBE that brought it to the server. */
interface Subscription {
  readonly listeners: Set<KvListener>;
  readonly ready: Promise<unknown>;
}

/** Opens the distributed kv; `close()` quits its connections. */
export function createRedisKv(options: RedisKvOptions): Kv {
  const redis = new Redis(options.url);
  defineKvScripts(redis);
  let subscriber: Redis | undefined;
  const subscriptions = new Map<string, Subscription>();
  const keyOf = (key: string) => `${options.prefix}:kv:${key}`;
  const channelOf = (channel: string) => `${options.prefix}:kv-channel:${channel}`;

  function subscriberConnection(): Redis {
    if (subscriber !== undefined) return subscriber;
    const connection = redis.duplicate();
    connection.on('message', (channel: string, message: string) => {
      const subscription = subscriptions.get(channel);
      if (subscription === undefined) return;
      // A snapshot, so a listener that unsubscribes while being called does not skip its neighbours.
      for (const listener of [...subscription.listeners]) listener(message);
    });
    subscriber = connection;
    return connection;
  }

  async function incrementBy(
    key: string,
    delta: number,
    limit: number,
    options?: KvWriteOptions,
  ): Promise<IncrementResult> {
    assertSafeInteger('delta', delta);
    const ttlMs = ttlOf(options);
    const [status, value] = await redis.galleyKvIncrementWithLimit(
      keyOf(key),
      String(delta),
      String(limit),
      ttlMs === undefined ? '' : String(ttlMs),
    );
    if (status === INCREMENT_NOT_INTEGER) throw new KvNotAnIntegerError(key);
    return { ok: status === INCREMENT_APPLIED, value };
  }

  return {
    async get(key) {
      return (await redis.get(keyOf(key))) ?? undefined;
    },

    async set(key, value, options) {
      const ttlMs = ttlOf(options);
      if (ttlMs === undefined) await redis.set(keyOf(key), value);
      else await redis.set(keyOf(key), value, 'PX', ttlMs);
    },

    async delete(key) {
      return (await redis.del(keyOf(key))) > 0;
    },

    async compareAndSet(key, expected, next, options) {
      const ttlMs = ttlOf(options);
      const written = await redis.galleyKvCompareAndSet(
        keyOf(key),
        expected === null ? '0' : '1',
        expected ?? '',
        next,
        ttlMs === undefined ? '' : String(ttlMs),
      );
      return written === 1;
    },

    async increment(key, delta, options) {
      const result = await incrementBy(key, delta, Number.MAX_SAFE_INTEGER, options);
      if (!result.ok) throw new RangeError(`kv: counter "${key}" would leave the safe integer range`);
      return result.value;
    },

    async incrementWithLimit(key, delta, limit, options) {
      assertSafeInteger('limit', limit);
      return incrementBy(key, delta, limit, options);
    },

    async publish(channel, message) {
      await redis.publish(channelOf(channel), message);
    },

    async subscribe(channel, listener) {
      const name = channelOf(channel);
      // A wrapper per subscription, so subscribing one function twice yields two independent subscriptions.
      const deliver: KvListener = (message) => listener(message);
      let subscription = subscriptions.get(name);
      if (subscription === undefined) {
        subscription = { listeners: new Set(), ready: subscriberConnection().subscribe(name) };
        subscriptions.set(name, subscription);
      }
      subscription.listeners.add(deliver);
      try {
        await subscription.ready;
      } catch (error) {
        // Forget a failed SUBSCRIBE so the next call retries instead of inheriting the rejection.
        subscription.listeners.delete(deliver);
        if (subscriptions.get(name) === subscription) subscriptions.delete(name);
        throw error;
      }
      return async () => {
        const current = subscriptions.get(name);
        if (current === undefined || !current.listeners.delete(deliver) || current.listeners.size > 0) return;
        // SUBSCRIBE and UNSUBSCRIBE go out in call order on one connection, so the server ends up matching
        // `subscriptions` even when a new subscriber for this channel arrives while this is in flight.
        subscriptions.delete(name);
        await subscriberConnection().unsubscribe(name);
      };
    },

    async ping() {
      await redis.ping();
    },

    async close() {
      subscriptions.clear();
      await Promise.all([redis.quit(), subscriber?.quit()]);
    },
  };
}
