/**
 * Opens the mail adapter the configuration selects: SMTP when GALLEY_SMTP_URL is set (any mode), otherwise the
 * outbox table in the given store. The choice follows the setting rather than the mode so a distributed test
 * install can still read its mail with `galley mail outbox`, and an embedded one can send real mail.
 */
import type { Config } from '../../config/config.ts';
import type { Store } from '../store/port.ts';
import { createOutboxMailer } from './outbox/outboxMailer.ts';
import type { Mailer } from './port.ts';
import { createSmtpMailer } from './smtp/smtpMailer.ts';

/** The mailer for this process; close it before the store. */
export function openMailer(config: Pick<Config, 'smtpUrl' | 'mailFrom'>, store: Store): Mailer {
  if (config.smtpUrl !== undefined) return createSmtpMailer({ url: config.smtpUrl, from: config.mailFrom });
  return createOutboxMailer(store);
}
