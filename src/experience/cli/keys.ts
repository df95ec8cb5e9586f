/**
 * `galley keys rotate|list`: the ES256 token signing keys.
 *
 *   galley keys rotate   makes a new key current, retires the old one (still published in the JWKS until its
 *                        tokens have expired) and announces it on kv channel `auth:keys`, upon which every
 *                        server process reloads its key set (processes that miss the message pick it up
 *                        within a minute; embedded servers in another OS process likewise).
 *   galley keys list     prints kid, creation and retirement of the published keys.
 *
 * Applies pending migrations first. Exit codes: 0 success, 1 failure, 2 bad usage.
 */
import type { Config } from '../../config/config.ts';
import type { Kv } from '../../data/kv/port.ts';
import { createRedisKv } from '../../data/kv/redis/redisKv.ts';
import { createSqliteKv } from '../../data/kv/sqlite/sqliteKv.ts';
import { migrateToLatest } from '../../data/migrations/migrator.ts';
import { openConfiguredStore } from '../../data/store/openStore.ts';
import type { Store } from '../../data/store/port.ts';
import { ensureSigningKey, loadKeySet, rotateSigningKey } from '../auth/keys/signingKeys.ts';
import { loadSecret } from '../auth/secrets.ts';
import { KEYS_CHANNEL } from '../auth/tokenContract.ts';

const USAGE = 'usage: galley keys rotate | galley keys list';

type Out = (line: string) => void;

function open(config: Config): { store: Store; kv: Kv } {
  const store = openConfiguredStore(config, 2);
  // loadConfig guarantees DATABASE_URL and REDIS_URL come together.
  const kv =
    config.redisUrl === undefined
      ? createSqliteKv(store)
      : createRedisKv({ url: config.redisUrl, prefix: config.redisPrefix });
  return { store, kv };
}

/** Rotates the signing key and announces it; returns the new kid. */
export async function rotateKeys(store: Store, kv: Kv, secret: string): Promise<string> {
  await ensureSigningKey(store, secret);
  const kid = await rotateSigningKey(store, secret);
  await kv.publish(KEYS_CHANNEL, kid);
  return kid;
}

/** Runs `galley keys`. */
export async function runKeys(args: readonly string[], config: Config, out: Out): Promise<number> {
  const [action] = args;
  if (action !== 'rotate' && action !== 'list') {
    out(USAGE);
    return 2;
  }
  const { store, kv } = open(config);
  try {
    await migrateToLatest(store);
    const secret = loadSecret(config);
    if (action === 'rotate') {
      const kid = await rotateKeys(store, kv, secret);
      out(`new signing key ${kid} is current; the previous key stays published until its tokens expire`);
      return 0;
    }
    await ensureSigningKey(store, secret);
    const keys = await loadKeySet(store, secret);
    keys.jwks.keys.forEach((key, i) => {
      out(`${key.kid}  ${key.alg}  ${i === 0 ? 'current' : 'retired'}`);
    });
    return 0;
  } catch (error) {
    out(`galley keys: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await kv.close();
    await store.close();
  }
}
