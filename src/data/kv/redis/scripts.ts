/**
 * Lua scripts of the Redis kv adapter. Each runs atomically on the server, which is what makes the limited
 * increment and compare-and-set safe across processes. They are registered with ioredis' `defineCommand`
 * (EVALSHA with a transparent EVAL fallback), and typed through the module augmentation ioredis documents.
 */
import type { Redis, Result } from 'ioredis';

/** Reply status of the increment script: applied, refused by the limit, or the key is not an integer. */
export const INCREMENT_APPLIED = 1;
/** The increment would have pushed the counter above its limit; nothing changed. */
export const INCREMENT_REFUSED = 0;
/** The key holds something other than an integer string; nothing changed. */
export const INCREMENT_NOT_INTEGER = -1;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** KEYS: counter. ARGV: delta, limit, ttlMs for a counter this call creates ('' = none). Reply: {status, value}. */
    galleyKvIncrementWithLimit(
      key: string,
      delta: string,
      limit: string,
      ttlMs: string,
    ): Result<[number, number], Context>;
    /** KEYS: key. ARGV: '1' + expected, or '0' + '' for "must be absent"; next; ttlMs ('' = none). Reply: 1 written, 0 not. */
    galleyKvCompareAndSet(
      key: string,
      hasExpected: string,
      expected: string,
      next: string,
      ttlMs: string,
    ): Result<number, Context>;
  }
}

// Integer strings are canonical ('0', '-12', never '007' or '+1'), matching the embedded adapter's check.
const INCREMENT_WITH_LIMIT = `
local current = redis.call('GET', KEYS[1])
local value = 0
if current then
  if current ~= '0' and not string.match(current, '^%-?[1-9]%d*$') then return {-1, 0} end
  value = tonumber(current)
end
if value + tonumber(ARGV[1]) > tonumber(ARGV[2]) then return {0, value} end
local nextValue = redis.call('INCRBY', KEYS[1], ARGV[1])
if not current and ARGV[3] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return {1, nextValue}
`;

const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if current ~= ARGV[2] then return 0 end
elseif current then
  return 0
end
if ARGV[4] == '' then
  redis.call('SET', KEYS[1], ARGV[3])
else
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
end
return 1
`;

/** Registers the kv scripts on a command connection. */
export function defineKvScripts(redis: Redis): void {
  redis.defineCommand('galleyKvIncrementWithLimit', { numberOfKeys: 1, lua: INCREMENT_WITH_LIMIT });
  redis.defineCommand('galleyKvCompareAndSet', { numberOfKeys: 1, lua: COMPARE_AND_SET });
}
