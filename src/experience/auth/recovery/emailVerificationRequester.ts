/**
 * Sends an email-verification link (valid 24 hours) to a user whose address is not yet verified. Called by
 * whatever signs a user up or lets them change their address; the per-address mail cap applies when a kv is
 * given.
 */
import type { Kv } from '../../../data/kv/port.ts';
import type { Mailer } from '../../../data/mail/port.ts';
import type { Store } from '../../../data/store/port.ts';
import { accountLink } from './accountLink.ts';
import { ACCOUNT_TOKEN_TTL_MS, issueAccountToken } from './accountTokens.ts';
import { allowAccountMail } from './mailThrottle.ts';

/** Input of requestEmailVerification. */
export interface RequestEmailVerificationProps {
  readonly store: Store;
  readonly mailer: Mailer;
  /** The user whose address to verify. */
  readonly userId: string;
  /** The page that confirms; the link is this URL with `?token=…`. */
  readonly verifyUrlBase: string;
  /** Enables the per-address mail cap when given. */
  readonly kv?: Kv;
}

/**
 * Mails a verification link; resolves `{ sent: false }` when the user does not exist, is already verified, or
 * the mail cap is reached. Rejects only on infrastructure failure.
 */
export async function requestEmailVerification(props: RequestEmailVerificationProps): Promise<{ sent: boolean }> {
  const user = await props.store.db
    .selectFrom('users')
    .select(['id', 'email', 'email_verified'])
    .where('id', '=', props.userId)
    .executeTakeFirst();
  if (user === undefined || Number(user.email_verified) === 1) return { sent: false };
  if (!(await allowAccountMail(props.kv, 'email_verification', user.email))) return { sent: false };
  const { token } = await issueAccountToken({ db: props.store.db, userId: user.id, purpose: 'email_verification' });
  const hours = ACCOUNT_TOKEN_TTL_MS.email_verification / 3_600_000;
  await props.mailer.send({
    to: user.email,
    subject: 'Confirm your email address for Galley',
    text: [
      'Please confirm that this address belongs to your Galley account.',
      '',
      `Open this link within ${hours} hours:`,
      accountLink(props.verifyUrlBase, token),
      '',
      'If you did not create a Galley account, ignore this mail.',
    ].join('\n'),
  });
  return { sent: true };
}
