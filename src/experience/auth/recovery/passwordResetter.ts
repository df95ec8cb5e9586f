/**
 * Completes a password reset: consumes the single-use token, stores the new argon2id hash, spends the user's
 * other outstanding reset links, marks the email verified (the reset link proved the mailbox), and records
 * `user.password_reset` in each of the user's tenants, all in one transaction.
 *
 * Existing sessions and grants are deliberately not touched here: ending them is the authorization server's
 * job, which reacts to the `user.password_reset` event.
 */

import { MIN_PASSWORD_LENGTH } from '../../../content/identity/userCreator.ts';
import type { Store } from '../../../data/store/port.ts';
import { inTransaction } from '../../../data/store/transaction.ts';
import { GalleyError } from '../../errors/errors.ts';
import { hashPassword } from '../passwordHash.ts';
import { recordAccountEvent } from './accountEvents.ts';
import { consumeAccountToken, findUsableAccountToken, spendOutstandingTokens } from './accountTokens.ts';

/** Longest password accepted (bounds the argon2 input; far above any passphrase). */
export const MAX_PASSWORD_LENGTH = 1024;

/** Input of resetPassword. */
export interface ResetPasswordProps {
  readonly store: Store;
  /** The token from the reset link. */
  readonly token: string;
  /** The new password in clear. */
  readonly newPassword: string;
  /** Clock; defaults to now. */
  readonly now?: Date;
}

/** Throws GALLEY_VALIDATION_FAILED unless the password's length is within bounds. */
export function assertPasswordLength(password: string, field = '/password'): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    const message = `must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`;
    throw new GalleyError('GALLEY_VALIDATION_FAILED', `password ${message}`, { errors: [{ field, message }] });
  }
}

/** Sets the new password; resolves the user id, or throws GALLEY_TOKEN_INVALID / GALLEY_VALIDATION_FAILED. */
export async function resetPassword(props: ResetPasswordProps): Promise<{ userId: string }> {
  assertPasswordLength(props.newPassword);
  const now = props.now ?? new Date();
  const lookup = { db: props.store.db, token: props.token, purpose: 'password_reset' as const, now };
  // Cheap pre-check first, so an invalid token costs no argon2 work; the consume below is the real gate.
  if ((await findUsableAccountToken(lookup)) === undefined) throw invalidToken();
  // Hash outside the transaction: argon2 takes tens of milliseconds and must not hold the write lock.
  const passwordHash = await hashPassword(props.newPassword);
  const userId = await inTransaction(props.store.db, async (trx) => {
    const owner = await consumeAccountToken({ ...lookup, db: trx });
    if (owner === undefined) throw invalidToken();
    await trx
      .updateTable('users')
      .set({ password_hash: passwordHash, email_verified: 1 })
      .where('id', '=', owner)
      .execute();
    await spendOutstandingTokens(trx, owner, 'password_reset', now);
    await recordAccountEvent(trx, owner, 'user.password_reset');
    return owner;
  });
  return { userId };
}

function invalidToken(): GalleyError {
  return new GalleyError('GALLEY_TOKEN_INVALID', 'the reset link is invalid, expired or already used');
}
