/**
 * Single-use account tokens (password reset, email verification).
 *
 * Contract:
 * - A token is 32 random bytes, base64url (43 characters); only its sha256 is stored, so a leaked table cannot
 *   be replayed. Lookup by hash needs no constant-time compare: the hash of an unknown token reveals nothing.
 * - Lifetimes: password reset 30 minutes, email verification 24 hours.
 * - `consumeAccountToken` is atomic (`update … where used_at is null and expires_at > now … returning`): of any
 *   number of concurrent uses exactly one wins, on both dialects.
 * - Issuing sweeps the user's spent and expired tokens of the same purpose, so the table stays small.
 */
import { createHash, randomBytes, randomUUIDv7 } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../../data/store/schema.ts';
import type { AccountTokenPurpose, AccountTokenTables } from './tables.ts';

/** How long a token of each purpose stays valid. */
export const ACCOUNT_TOKEN_TTL_MS: Readonly<Record<AccountTokenPurpose, number>> = Object.freeze({
  password_reset: 30 * 60_000,
  email_verification: 24 * 60 * 60_000,
});

// base64url of 32 bytes; anything else cannot be a token and skips the database.
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** The stored form of a token. */
export function hashAccountToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A handle over the identity and account-token tables (store or transaction). */
export function tokenDb<DB>(db: Kysely<DB>): Kysely<Database & AccountTokenTables> {
  return (db as unknown as Kysely<Database>).withTables<AccountTokenTables>();
}

/** Input of issueAccountToken. */
export interface IssueAccountTokenProps {
  /** The store or a transaction. */
  readonly db: Kysely<Database>;
  readonly userId: string;
  readonly purpose: AccountTokenPurpose;
  /** Clock; defaults to now. */
  readonly now?: Date;
}

/** Creates a token and returns it in clear (the only time it exists in clear) with its expiry. */
export async function issueAccountToken(props: IssueAccountTokenProps): Promise<{ token: string; expiresAt: string }> {
  const now = props.now ?? new Date();
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + ACCOUNT_TOKEN_TTL_MS[props.purpose]).toISOString();
  const db = tokenDb(props.db);
  await db
    .deleteFrom('account_tokens')
    .where('user_id', '=', props.userId)
    .where('purpose', '=', props.purpose)
    .where((eb) => eb.or([eb('used_at', 'is not', null), eb('expires_at', '<=', now.toISOString())]))
    .execute();
  await db
    .insertInto('account_tokens')
    .values({
      id: randomUUIDv7(),
      user_id: props.userId,
      purpose: props.purpose,
      token_hash: hashAccountToken(token),
      expires_at: expiresAt,
      used_at: null,
      created_at: now.toISOString(),
    })
    .execute();
  return { token, expiresAt };
}

/** Input of the token lookups. */
export interface AccountTokenLookupProps {
  /** The store or a transaction. */
  readonly db: Kysely<Database>;
  /** The token as the user presented it. */
  readonly token: string;
  readonly purpose: AccountTokenPurpose;
  /** Clock; defaults to now. */
  readonly now?: Date;
}

/** The user of a token that is unused and unexpired now, without using it up (a cheap pre-check). */
export async function findUsableAccountToken(props: AccountTokenLookupProps): Promise<string | undefined> {
  if (!TOKEN_SHAPE.test(props.token)) return undefined;
  const row = await tokenDb(props.db)
    .selectFrom('account_tokens')
    .select('user_id')
    .where('token_hash', '=', hashAccountToken(props.token))
    .where('purpose', '=', props.purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', (props.now ?? new Date()).toISOString())
    .executeTakeFirst();
  return row?.user_id;
}

/** Marks a usable token used; returns its user, or undefined when it is unknown, expired or already used. */
export async function consumeAccountToken(props: AccountTokenLookupProps): Promise<string | undefined> {
  if (!TOKEN_SHAPE.test(props.token)) return undefined;
  const now = (props.now ?? new Date()).toISOString();
  const row = await tokenDb(props.db)
    .updateTable('account_tokens')
    .set({ used_at: now })
    .where('token_hash', '=', hashAccountToken(props.token))
    .where('purpose', '=', props.purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('user_id')
    .executeTakeFirst();
  return row?.user_id;
}

/** Marks every outstanding token of a user and purpose used (after a reset, older links must die too). */
export async function spendOutstandingTokens(
  db: Kysely<Database>,
  userId: string,
  purpose: AccountTokenPurpose,
  now: Date = new Date(),
): Promise<void> {
  await tokenDb(db)
    .updateTable('account_tokens')
    .set({ used_at: now.toISOString() })
    .where('user_id', '=', userId)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .execute();
}
