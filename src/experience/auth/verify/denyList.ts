/**
 * The revocation deny-list: kv keys per the token contract (`auth:deny:{jti,grant,session}:…`), each announced on
 * DENY_CHANNEL after it is written so every process learns it in under a second without asking the kv per
 * request.
 *
 * Writers (logout, grant revocation, refresh-token reuse detection) call `denyToken` / `denyGrant` /
 * `denySession`. Readers (the verifier) hold a `DenyWatch`: a local set fed by the channel, consulted on every
 * request, plus a kv lookup for keys the process may have missed (it started after the revocation, or a message
 * was lost while its subscription reconnected).
 *
 * An entry lives as long as a token it could match can still be accepted: the remaining token lifetime plus the
 * clock skew verifiers tolerate, so the list never outgrows the set of live tokens.
 */
import type { Kv } from '../../../data/kv/port.ts';
import type { Principal } from '../principal.ts';
import { CLOCK_SKEW_S, DENY_CHANNEL, DENY_TTL_MS, denyKey } from '../tokenContract.ts';

/** Value stored under a deny key; only presence matters. */
const DENIED = '1';

/** Local entries are swept this often; lookups also check expiry, so this bounds memory, not correctness. */
const SWEEP_INTERVAL_MS = 60_000;

async function writeDenial(kv: Kv, key: string, ttlMs: number): Promise<void> {
  await kv.set(key, DENIED, { ttlMs });
  // Published after the write, so a process that reacts to the message and then asks the kv sees the key.
  await kv.publish(DENY_CHANNEL, key);
}

/**
 * Revokes one access token (by `jti`) until it expires. The entry lives for the token's remaining lifetime plus
 * the tolerated clock skew (at least one second, so an already-expired token is still written and announced).
 */
export async function denyToken(kv: Kv, principal: Pick<Principal, 'tokenId' | 'expiresAt'>): Promise<void> {
  const ttlMs = Math.max(1000, (principal.expiresAt + CLOCK_SKEW_S) * 1000 - Date.now());
  await writeDenial(kv, denyKey.jti(principal.tokenId), ttlMs);
}

/** Revokes every access token of a grant for as long as any of them can still be accepted. */
export async function denyGrant(kv: Kv, grantId: string): Promise<void> {
  await writeDenial(kv, denyKey.grant(grantId), DENY_TTL_MS);
}

/** Revokes every access token of a login session (logout) for as long as any of them can still be accepted. */
export async function denySession(kv: Kv, sessionId: string): Promise<void> {
  await writeDenial(kv, denyKey.session(sessionId), DENY_TTL_MS);
}

/** The deny keys that would revoke a principal's token: its jti, grant and session, as present. */
export function denyKeysOf(principal: Principal): readonly string[] {
  const keys = [denyKey.jti(principal.tokenId)];
  if (principal.grantId !== undefined) keys.push(denyKey.grant(principal.grantId));
  if (principal.sessionId !== undefined) keys.push(denyKey.session(principal.sessionId));
  return Object.freeze(keys);
}

/** A process's view of the deny-list. */
export interface DenyWatch {
  /** Resolves once the channel subscription is in place (rejects if it could not be made; call again to retry). */
  ready(): Promise<void>;
  /** True when any of `keys` is known denied locally; no I/O. */
  deniedLocally(keys: readonly string[]): boolean;
  /** Asks the kv about `keys`; true when any is denied (and remembers it locally). Rejects when the kv fails. */
  deniedInKv(keys: readonly string[]): Promise<boolean>;
  /** Unsubscribes and stops the sweep. */
  close(): Promise<void>;
}

/** Starts watching the deny-list of `kv`. The subscription starts now; `ready()` reports its outcome. */
export function watchDenyList(kv: Kv): DenyWatch {
  /** Deny key → local expiry (epoch ms). */
  const denied = new Map<string, number>();
  const remember = (key: string) => denied.set(key, Date.now() + DENY_TTL_MS);
  let subscription: Promise<() => Promise<void>> | undefined;
  let closed = false;

  const subscribe = (): Promise<() => Promise<void>> => {
    const attempt = kv.subscribe(DENY_CHANNEL, remember);
    // A failed attempt is forgotten so the next `ready()` tries again instead of failing forever.
    attempt.catch(() => {
      if (subscription === attempt) subscription = undefined;
    });
    subscription = attempt;
    return attempt;
  };
  subscribe();

  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [key, expiresAt] of denied) if (expiresAt <= now) denied.delete(key);
  }, SWEEP_INTERVAL_MS);
  sweep.unref();

  return {
    async ready() {
      if (closed) throw new Error('deny-list watch is closed');
      await (subscription ?? subscribe());
    },

    deniedLocally(keys) {
      if (denied.size === 0) return false;
      const now = Date.now();
      for (const key of keys) {
        const expiresAt = denied.get(key);
        if (expiresAt !== undefined && expiresAt > now) return true;
      }
      return false;
    },

    async deniedInKv(keys) {
      const values = await Promise.all(keys.map((key) => kv.get(key)));
      let found = false;
      values.forEach((value, i) => {
        const key = keys[i];
        if (value !== undefined && key !== undefined) {
          remember(key);
          found = true;
        }
      });
      return found;
    },

    async close() {
      closed = true;
      clearInterval(sweep);
      denied.clear();
      const pending = subscription;
      subscription = undefined;
      if (pending === undefined) return;
      const unsubscribe = await pending.catch(() => undefined);
      if (unsubscribe !== undefined) await unsubscribe();
    },
  };
}
