/**
 * Email + password authentication: the one check behind the login page (and any other password transport).
 *
 * Contract:
 * - Lockout (lockout.ts) is consulted BEFORE any hashing: a locked account or IP, or a full attempt window, is
 *   refused as `locked` without running argon2, so brute force cannot buy CPU time.
 * - Every other attempt costs exactly one argon2id verification: unknown emails and SSO-only users (no password
 *   hash) are verified against a fixed dummy hash with the current parameters, so their timing matches a wrong
 *   password for a real account and the answer (`invalid_credentials`) is the same. Unknown emails also count
 *   against the lockout like real accounts, so lockout behaviour cannot reveal which addresses exist.
 * - A success clears the account's failures; every attempt is recorded as a `password` login metric.
 */
import { performance } from 'node:perf_hooks';
import type { Kv } from '../../../data/kv/port.ts';
import type { Store } from '../../../data/store/port.ts';
import type { GalleyMetrics } from '../../../ops/metrics/registry.ts';
import { verifyPassword } from '../passwordHash.ts';
import { DEFAULT_LOCKOUT_POLICY, type LockoutPolicy, PasswordLockout } from './lockout.ts';

/**
 * A valid argon2id hash (of a random string nobody knows) with the current OWASP parameters, verified when
 * there is no real hash so the failure path costs the same. passwordLogin.test.ts checks it still matches
 * ARGON2_PARAMS, so raising the parameters without regenerating it fails the build.
 */
export const DUMMY_PASSWORD_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$ZKICjU+GCy/mUe/RygIjgQ$LblgDLUJub/JT9kDg29odKc8U/WE4vCkHloRUbtYW0M';

/** Input of a password login. */
export interface AuthenticatePasswordProps {
  /** Where users live. */
  store: Store;
  /** Shared lockout counters. */
  kv: Kv;
  /** Records the attempt when given. */
  metrics?: GalleyMetrics;
  /** As typed; normalised (trimmed, lower case) like createUser stores it. */
  email: string;
  password: string;
  /** The client's address, for the per-IP limit. */
  ip: string;
}

/** Outcome of a password login. `retryAfterSeconds` comes with `locked` (and with the failure that locks). */
export type AuthenticatePasswordResult =
  | { ok: true; userId: string }
  | { ok: false; reason: 'invalid_credentials' | 'locked'; retryAfterSeconds?: number };

/** Replaceable collaborators (tests count argon2 runs through `verify`). */
export interface PasswordAuthenticatorOptions {
  /** Checks a password against a PHC hash; defaults to the argon2id `verifyPassword`. */
  readonly verify?: (password: string, hash: string) => Promise<boolean>;
  readonly policy?: LockoutPolicy;
  /** Clock for lock deadlines; defaults to Date.now. */
  readonly now?: () => number;
}

/** The signature of `authenticatePassword`. */
export type PasswordAuthenticator = (props: AuthenticatePasswordProps) => Promise<AuthenticatePasswordResult>;

/** Builds an authenticator with the given collaborators; `authenticatePassword` is the default one. */
export function createPasswordAuthenticator(options: PasswordAuthenticatorOptions = {}): PasswordAuthenticator {
  const verify = options.verify ?? verifyPassword;
  const policy = options.policy ?? DEFAULT_LOCKOUT_POLICY;
  return async (props) => {
    const started = performance.now();
    const record = (outcome: 'success' | 'failure', reason?: 'invalid_credentials' | 'unknown_user' | 'locked') =>
      props.metrics?.recordLogin({
        provider: 'password',
        outcome,
        ...(reason === undefined ? {} : { reason }),
        seconds: (performance.now() - started) / 1000,
      });
    const email = props.email.trim().toLowerCase();
    const lockout = new PasswordLockout(props.kv, policy, options.now);

    const reservation = await lockout.reserve(email, props.ip);
    if (!reservation.ok) {
      record('failure', 'locked');
      return { ok: false, reason: 'locked', retryAfterSeconds: reservation.retryAfterSeconds };
    }

    const user = await props.store.db
      .selectFrom('users')
      .select(['id', 'password_hash'])
      .where('email', '=', email)
      .executeTakeFirst();
    const hash = user?.password_hash ?? null;
    // Always exactly one verification; a dummy one when there is nothing real to compare against.
    const matches = await verify(props.password, hash ?? DUMMY_PASSWORD_HASH);

    if (matches && user !== undefined && hash !== null) {
      await lockout.recordSuccess(email, props.ip);
      record('success');
      return { ok: true, userId: user.id };
    }
    const wait = await lockout.recordFailure(email, props.ip, reservation);
    record('failure', user === undefined ? 'unknown_user' : 'invalid_credentials');
    return wait > 0
      ? { ok: false, reason: 'invalid_credentials', retryAfterSeconds: wait }
      : { ok: false, reason: 'invalid_credentials' };
  };
}

/**
 * Checks an email and password with brute-force lockout (see the module comment). Resolves `{ ok: true, userId }`
 * for the right password of a user who has one; otherwise `invalid_credentials`, or `locked` (refused before
 * hashing) with `retryAfterSeconds`.
 */
export function authenticatePassword(props: AuthenticatePasswordProps): Promise<AuthenticatePasswordResult> {
  return defaultAuthenticator(props);
}

const defaultAuthenticator = createPasswordAuthenticator();
