/**
 * Writes the revocation deny-list the token verifiers read (token contract: `auth:deny:{jti,grant,session}:<id>`
 * with a TTL outliving every access token they could match, then the key published on `auth:deny` so every
 * process's local cache learns it within a second).
 */
import type { Kv } from '../../../data/kv/port.ts';
import { DENY_CHANNEL, DENY_TTL_MS, denyKey } from '../tokenContract.ts';

/** What a deny entry revokes. */
export type DenyKind = keyof typeof denyKey;

/** Writes the deny entry for `id` and announces it. `ttlMs` defaults to the contract's DENY_TTL_MS. */
export async function deny(kv: Kv, kind: DenyKind, id: string, ttlMs: number = DENY_TTL_MS): Promise<void> {
  const key = denyKey[kind](id);
  await kv.set(key, String(Date.now()), { ttlMs: Math.max(ttlMs, 1000) });
  await kv.publish(DENY_CHANNEL, key);
}
