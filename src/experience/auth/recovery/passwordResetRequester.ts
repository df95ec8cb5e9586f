/**
 * Starts a password reset. Outwardly it always succeeds the same way, whether or not the email belongs to
 * someone: a mail with a single-use link (valid 30 minutes) goes out only when a user has that address and the
 * per-address mail cap allows it. Transports must not let the difference show: the HTTP route answers 202
 * before this finishes, so neither the status nor the latency reveals whether an account exists.
 */
import type { Kv } from '../../../data/kv/port.ts';
import type { Mailer } from '../../../data/mail/port.ts';
import type { Store } from '../../../data/store/port.ts';
import { accountLink } from './accountLink.ts';
import { ACCOUNT_TOKEN_TTL_MS, issueAccountToken } from './accountTokens.ts';
import { allowAccountMail } from './mailThrottle.ts';

/** Input of requestPasswordReset. */
export interface RequestPasswordResetProps {
  readonly store: Store;
  /** Where the reset mail goes out. */
  readonly mailer: Mailer;
  /** As typed by the user; normalised like createUser stores it. */
  readonly email: string;
  /** The page that asks for the new password; the link is this URL with `?token=…`. */
  readonly resetUrlBase: string;
  /** Enables the per-address mail cap (mailThrottle.ts) when given. */
  readonly kv?: Kv;
}

/**
 * Issues a reset token and mails the link when the user exists. Resolves `{ sent }` for logs and tests only;
 * never show it to the requester. Rejects only on infrastructure failure (store, kv or mailer).
 */
export async function requestPasswordReset(props: RequestPasswordResetProps): Promise<{ sent: boolean }> {
  const email = props.email.trim().toLowerCase();
  const user = await props.store.db
    .selectFrom('users')
    .select(['id', 'email'])
    .where('email', '=', email)
    .executeTakeFirst();
  if (user === undefined) return { sent: false };
  if (!(await allowAccountMail(props.kv, 'password_reset', user.email))) return { sent: false };
  const { token } = await issueAccountToken({ db: props.store.db, userId: user.id, purpose: 'password_reset' });
  const link = accountLink(props.resetUrlBase, token);
  const minutes = ACCOUNT_TOKEN_TTL_MS.password_reset / 60_000;
  await props.mailer.send({
    to: user.email,
    subject: 'Reset your Galley password',
    text: [
      'Someone asked to reset the password of your Galley account.',
      '',
      `To choose a new password, open this link within ${minutes} minutes:`,
      link,
      '',
      'The link works once. If you did not ask for this, ignore this mail: your password stays as it is.',
    ].join('\n'),
  });
  return { sent: true };
}
