/** Row types of the account-token table (migration 0008). */

/** What a token proves; the migration's check constraint lists the same values. */
export const ACCOUNT_TOKEN_PURPOSES = ['password_reset', 'email_verification'] as const;
/** One token purpose. */
export type AccountTokenPurpose = (typeof ACCOUNT_TOKEN_PURPOSES)[number];

/** One single-use token, stored as its sha256 only. */
export interface AccountTokensTable {
  id: string;
  user_id: string;
  purpose: AccountTokenPurpose;
  /** Hex sha256 of the token sent to the user. */
  token_hash: string;
  /** ISO-8601; the token is refused from this instant on. */
  expires_at: string;
  /** ISO-8601 when consumed (or superseded), else null. */
  used_at: string | null;
  created_at: string;
}

/** The account-token schema (a type alias: `withTables` needs an index-compatible object type). */
export type AccountTokenTables = {
  account_tokens: AccountTokensTable;
};
