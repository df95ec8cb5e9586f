/** Removes every Redis key matching `match` (a test's unique prefix followed by `*`), scanning in batches. */
import { Redis } from 'ioredis';
import { TEST_REDIS_URL } from './backends.ts';

/** Deletes the keys a distributed test left behind. */
export async function deleteRedisKeys(match: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    for await (const keys of redis.scanStream({ match, count: 500 })) {
      if (Array.isArray(keys) && keys.length > 0) await redis.del(...keys.map(String));
    }
  } finally {
    await redis.quit();
  }
}
