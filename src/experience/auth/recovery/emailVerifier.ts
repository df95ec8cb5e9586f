/**
 * Confirms an email address: consumes the single-use verification token, sets `email_verified`, spends the
 * user's other verification links and records `user.email_verified` in each of the user's tenants, in one
 * transaction.
 */
import type { Store } from '../../../data/store/port.ts';
import { inTransaction } from '../../../data/store/transaction.ts';
import { GalleyError } from '../../errors/errors.ts';
import { recordAccountEvent } from './accountEvents.ts';
import { consumeAccountToken, spendOutstandingTokens } from './accountTokens.ts';

/** Input of verifyEmail. */
export interface VerifyEmailProps {
  readonly store: Store;
  /** The token from the verification link. */
  readonly token: string;
  /** Clock; defaults to now. */
  readonly now?: Date;
}

/** Marks the address verified; resolves the user id, or throws GALLEY_TOKEN_INVALID. */
export async function verifyEmail(props: VerifyEmailProps): Promise<{ userId: string }> {
  const now = props.now ?? new Date();
  const userId = await inTransaction(props.store.db, async (trx) => {
    const owner = await consumeAccountToken({ db: trx, token: props.token, purpose: 'email_verification', now });
    if (owner === undefined) {
      throw new GalleyError('GALLEY_TOKEN_INVALID', 'the verification link is invalid, expired or already used');
    }
    await trx.updateTable('users').set({ email_verified: 1 }).where('id', '=', owner).execute();
    await spendOutstandingTokens(trx, owner, 'email_verification', now);
    await recordAccountEvent(trx, owner, 'user.email_verified');
    return owner;
  });
  return { userId };
}
