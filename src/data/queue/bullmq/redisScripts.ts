/**
 * The Redis side of what BullMQ OSS lacks: a per-key counting semaphore (concurrency keys), cancellation
 * markers, and an oldest-ready-job reading. Every multi-step change is one Lua script, so it is atomic.
 *
 * Semaphore: a sorted set per concurrency key, one member per running job scored by its lease end (Redis
 * server time, so worker clocks do not matter). Expired members are dropped before every count, which is the
 * TTL safety: a worker that died holding a slot frees it when its lease would have ended. Jobs refused a slot
 * park in a second sorted set (FIFO); releasing a slot pops the longest-parked job so it can be promoted.
 */
import type { Redis } from 'ioredis';

const NOW_MS = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS: holders. ARGV: jobId, limit, leaseMs. Returns 1 when the job holds a slot. */
const ACQUIRE = `${NOW_MS}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local lease = tonumber(ARGV[3])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], lease * 2)
  return 1
end
return 0`;

/** KEYS: holders. ARGV: jobId, leaseMs. Returns 1 when the slot was still held. */
const RENEW = `${NOW_MS}
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local lease = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
redis.call('PEXPIRE', KEYS[1], lease * 2)
return 1`;

/** KEYS: holders, waiters. ARGV: jobId. Frees the slot; returns the longest-parked job id, or false. */
const RELEASE = `redis.call('ZREM', KEYS[1], ARGV[1])
local next = redis.call('ZPOPMIN', KEYS[2])
if next[1] then return next[1] end
return false`;

/**
 * KEYS: holders, waiters. ARGV: jobId, limit, ttlMs. Called after the job was moved to delayed: returns 1 when
 * a slot freed up meanwhile (the caller promotes the job itself), else parks it and returns 0.
 */
const PARK = `${NOW_MS}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then return 1 end
redis.call('ZADD', KEYS[2], 'NX', now, ARGV[1])
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[3]))
return 0`;

/**
 * KEYS: wait list, prioritized set. ARGV: job key prefix, scan limit. Returns the earliest "ready since" time
 * (enqueue timestamp plus initial delay) among the next `limit` jobs of each structure, or -1.
 */
const OLDEST_READY = `local oldest = nil
local limit = tonumber(ARGV[2])
local function consider(id)
  local f = redis.call('HMGET', ARGV[1] .. id, 'timestamp', 'opts')
  local ts = tonumber(f[1])
  if not ts then return end
  local ok, opts = pcall(cjson.decode, f[2] or '{}')
  if ok and type(opts) == 'table' and tonumber(opts['delay']) then ts = ts + tonumber(opts['delay']) end
  if oldest == nil or ts < oldest then oldest = ts end
end
for _, id in ipairs(redis.call('LRANGE', KEYS[1], -limit, -1)) do consider(id) end
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, limit - 1)) do consider(id) end
if oldest == nil then return -1 end
return tostring(oldest)`;

/** How many jobs of each ready structure the oldest-age reading inspects. */
export const OLDEST_SCAN_LIMIT = 1000;
/** Parked jobs are forgotten after a day without any release (their backstop delay re-runs them anyway). */
const PARK_TTL_MS = 24 * 60 * 60 * 1000;

/** Key names of the adapter's own structures under one prefix. */
export class GalleyKeys {
  readonly #base: string;
  constructor(prefix: string) {
    // `_galley` cannot clash with BullMQ's `<prefix>:<queue>:…` keys unless a queue is named `_galley`.
    this.#base = `${prefix}:_galley`;
  }
  /** Running holders of a concurrency key. */
  holders(concurrencyKey: string): string {
    return `${this.#base}:sem:${concurrencyKey}`;
  }
  /** Jobs parked waiting for a concurrency key. */
  waiters(concurrencyKey: string): string {
    return `${this.#base}:semwait:${concurrencyKey}`;
  }
  /** Cancellation marker of one job. */
  cancel(jobId: string): string {
    return `${this.#base}:cancel:${jobId}`;
  }
  /** Pub/sub channel announcing cancellations of running jobs. */
  get cancelChannel(): string {
    return `${this.#base}:cancelled`;
  }
}

/** Takes a slot of `concurrencyKey` for `jobId` (idempotent for a job that already holds one). */
export async function acquireSlot(
  redis: Redis,
  keys: GalleyKeys,
  concurrencyKey: string,
  jobId: string,
  limit: number,
  leaseMs: number,
): Promise<boolean> {
  return (await redis.eval(ACQUIRE, 1, keys.holders(concurrencyKey), jobId, limit, leaseMs)) === 1;
}

/** Extends a held slot; false when it had expired. */
export async function renewSlot(
  redis: Redis,
  keys: GalleyKeys,
  concurrencyKey: string,
  jobId: string,
  leaseMs: number,
): Promise<boolean> {
  return (await redis.eval(RENEW, 1, keys.holders(concurrencyKey), jobId, leaseMs)) === 1;
}

/** Frees a slot; returns the parked job that should be promoted next, if any. */
export async function releaseSlot(
  redis: Redis,
  keys: GalleyKeys,
  concurrencyKey: string,
  jobId: string,
): Promise<string | undefined> {
  const next = await redis.eval(RELEASE, 2, keys.holders(concurrencyKey), keys.waiters(concurrencyKey), jobId);
  return typeof next === 'string' ? next : undefined;
}

/** Parks a job that was refused a slot; 'free' when a slot opened meanwhile and the caller should promote it. */
export async function parkForSlot(
  redis: Redis,
  keys: GalleyKeys,
  concurrencyKey: string,
  jobId: string,
  limit: number,
): Promise<'free' | 'parked'> {
  const reply = await redis.eval(
    PARK,
    2,
    keys.holders(concurrencyKey),
    keys.waiters(concurrencyKey),
    jobId,
    limit,
    PARK_TTL_MS,
  );
  return reply === 1 ? 'free' : 'parked';
}

/** Earliest ready-since time (epoch ms) among a queue's ready jobs, or undefined when none is ready. */
export async function oldestReadyAt(
  redis: Redis,
  waitKey: string,
  prioritizedKey: string,
  jobKeyPrefix: string,
): Promise<number | undefined> {
  const reply = await redis.eval(OLDEST_READY, 2, waitKey, prioritizedKey, jobKeyPrefix, OLDEST_SCAN_LIMIT);
  const value = Number(reply);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}
