/**
 * Brute-force lockout for password logins, kept in the kv port so every process shares it.
 *
 * Two scopes, each with its own fixed one-minute attempt window, lock and back-off level:
 * - the account (keyed by a hash of the normalised email, so unknown emails behave exactly like known ones and
 *   no address is written to the kv store): 5 attempts per window;
 * - the client IP (IPv6 bucketed by /64, since one host usually owns a whole /64): 50 attempts per window, to
 *   slow credential stuffing that tries one password across many accounts.
 *
 * An attempt reserves a slot with `incrementWithLimit` BEFORE any hashing, so concurrency cannot push a window
 * past its limit and a refused attempt costs no argon2 work. The failure that fills a window locks the scope for
 * 1 min × 2^(level − 1), capped at 1 h, where level counts locks in the last 24 h; the window then restarts, so
 * after a lock ends the scope gets a fresh set of attempts and the next lock lasts twice as long. A success
 * clears the account's window and level, and gives its IP slot back (successes do not count against an IP).
 */
import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { Kv } from '../../../data/kv/port.ts';

/** Limits of one scope. */
export interface LockoutScopePolicy {
  /** Attempts allowed per window; the one that fills the window, if it fails, locks the scope. */
  readonly attempts: number;
  /** Length of the fixed attempt window. */
  readonly windowMs: number;
}

/** The lockout policy (frozen defaults below). */
export interface LockoutPolicy {
  readonly account: LockoutScopePolicy;
  readonly ip: LockoutScopePolicy;
  /** First lock's duration; each further lock doubles it. */
  readonly baseLockMs: number;
  /** Longest lock. */
  readonly maxLockMs: number;
  /** How long the back-off level is remembered after the first lock. */
  readonly levelTtlMs: number;
}

/** Default policy: 5 per account and 50 per IP per minute; locks of 1, 2, 4 … 60 minutes. */
export const DEFAULT_LOCKOUT_POLICY: LockoutPolicy = Object.freeze({
  account: Object.freeze({ attempts: 5, windowMs: 60_000 }),
  ip: Object.freeze({ attempts: 50, windowMs: 60_000 }),
  baseLockMs: 60_000,
  maxLockMs: 3_600_000,
  levelTtlMs: 86_400_000,
});

/** Kv keys of one scope. */
interface ScopeKeys {
  readonly window: string;
  readonly lock: string;
  readonly level: string;
}

/** A scope being checked: its keys and limits. */
interface Scope {
  readonly keys: ScopeKeys;
  readonly policy: LockoutScopePolicy;
}

/** Outcome of reserving an attempt. */
export type Reservation =
  | { readonly ok: true; readonly accountCount: number; readonly ipCount: number }
  | { readonly ok: false; readonly retryAfterSeconds: number };

function keysFor(kind: 'acct' | 'ip', id: string): ScopeKeys {
  return {
    window: `auth:pw:win:${kind}:${id}`,
    lock: `auth:pw:lock:${kind}:${id}`,
    level: `auth:pw:lvl:${kind}:${id}`,
  };
}

/** The account scope's id: sha256 of the normalised email (no personal data in kv keys). */
export function accountKey(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
}

/** Expands an IPv6 address into its eight hextets (undefined when malformed). */
function hextets(address: string): string[] | undefined {
  const [head = '', tail] = address.split('::');
  const split = (part: string) => (part === '' ? [] : part.split(':'));
  const left = split(head);
  const right = tail === undefined ? [] : split(tail);
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return undefined;
  return [...left, ...Array.from({ length: missing }, () => '0'), ...right].map((h) => h.toLowerCase());
}

/** The IP scope's id: IPv4 as is (also when IPv4-mapped), IPv6 reduced to its /64 prefix. */
export function ipKey(ip: string): string {
  const address = ip.trim().replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (!isIPv6(address)) return address;
  const parts = hextets(address);
  if (parts === undefined) return address;
  return `${parts
    .slice(0, 4)
    .map((h) => Number.parseInt(h, 16).toString(16))
    .join(':')}::/64`;
}

/** Reads a scope's lock; the seconds left, or 0 when unlocked. */
async function lockedFor(kv: Kv, keys: ScopeKeys, now: number): Promise<number> {
  const until = Number(await kv.get(keys.lock));
  return Number.isFinite(until) && until > now ? Math.ceil((until - now) / 1000) : 0;
}

/** The shared lockout state of password logins for one policy. */
export class PasswordLockout {
  readonly #kv: Kv;
  readonly #policy: LockoutPolicy;
  readonly #now: () => number;

  /** `now` is injectable so tests can reason about lock ends; defaults to the wall clock. */
  constructor(kv: Kv, policy: LockoutPolicy = DEFAULT_LOCKOUT_POLICY, now: () => number = Date.now) {
    this.#kv = kv;
    this.#policy = policy;
    this.#now = now;
  }

  #scopes(email: string, ip: string): { account: Scope; ip: Scope } {
    return {
      account: { keys: keysFor('acct', accountKey(email)), policy: this.#policy.account },
      ip: { keys: keysFor('ip', ipKey(ip)), policy: this.#policy.ip },
    };
  }

  /**
   * Reserves one attempt in both scopes, or refuses with the time until the longer lock ends. Call before
   * hashing; follow a reservation with exactly one `recordSuccess` or `recordFailure`.
   */
  async reserve(email: string, ip: string): Promise<Reservation> {
    const scopes = this.#scopes(email, ip);
    const now = this.#now();
    const waits = await Promise.all([
      lockedFor(this.#kv, scopes.account.keys, now),
      lockedFor(this.#kv, scopes.ip.keys, now),
    ]);
    const locked = Math.max(...waits);
    if (locked > 0) return { ok: false, retryAfterSeconds: locked };
    const account = await this.#take(scopes.account);
    if (!account.ok) return { ok: false, retryAfterSeconds: await this.#refusedWait(scopes.account) };
    const ipSlot = await this.#take(scopes.ip);
    if (!ipSlot.ok) {
      // Not this account's fault: hand its slot back.
      await this.#kv.increment(scopes.account.keys.window, -1, { ttlMs: scopes.account.policy.windowMs });
      return { ok: false, retryAfterSeconds: await this.#refusedWait(scopes.ip) };
    }
    return { ok: true, accountCount: account.value, ipCount: ipSlot.value };
  }

  /** After a correct password: clears the account's window and back-off, and returns the IP slot. */
  async recordSuccess(email: string, ip: string): Promise<void> {
    const scopes = this.#scopes(email, ip);
    await Promise.all([
      this.#kv.delete(scopes.account.keys.window),
      this.#kv.delete(scopes.account.keys.level),
      this.#kv.increment(scopes.ip.keys.window, -1, { ttlMs: scopes.ip.policy.windowMs }),
    ]);
  }

  /**
   * After a wrong password: locks each scope whose window this attempt filled. Returns the seconds until the
   * account may retry when this failure locked something (0 otherwise).
   */
  async recordFailure(
    email: string,
    ip: string,
    reservation: { accountCount: number; ipCount: number },
  ): Promise<number> {
    const scopes = this.#scopes(email, ip);
    let wait = 0;
    if (reservation.accountCount >= scopes.account.policy.attempts) wait = await this.#lock(scopes.account);
    if (reservation.ipCount >= scopes.ip.policy.attempts) wait = Math.max(wait, await this.#lock(scopes.ip));
    return wait;
  }

  #take(scope: Scope): ReturnType<Kv['incrementWithLimit']> {
    return this.#kv.incrementWithLimit(scope.keys.window, 1, scope.policy.attempts, { ttlMs: scope.policy.windowMs });
  }

  /** Locks a scope for its next back-off step and restarts its window; returns the lock's seconds. */
  async #lock(scope: Scope): Promise<number> {
    const level = await this.#kv.increment(scope.keys.level, 1, { ttlMs: this.#policy.levelTtlMs });
    const ms = Math.min(this.#policy.baseLockMs * 2 ** Math.max(0, level - 1), this.#policy.maxLockMs);
    await this.#kv.set(scope.keys.lock, String(this.#now() + ms), { ttlMs: ms });
    await this.#kv.delete(scope.keys.window);
    return Math.ceil(ms / 1000);
  }

  /**
   * Wait reported when a full window refused an attempt: the lock's remaining time once the attempt that filled
   * the window has failed and set it, else one base period (that attempt is still hashing).
   */
  async #refusedWait(scope: Scope): Promise<number> {
    const left = await lockedFor(this.#kv, scope.keys, this.#now());
    return left > 0 ? left : Math.ceil(this.#policy.baseLockMs / 1000);
  }
}
