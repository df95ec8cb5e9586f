/**
 * The `mail` port: outgoing email (password reset, email verification, notifications). Adapters: `outbox/`
 * (embedded: a row in the `mail_outbox` table, read with `galley mail outbox`) and `smtp/` (distributed: a real
 * SMTP submission through nodemailer). `openMailer.ts` picks one from the configuration.
 *
 * Contract:
 * - `send` resolves once the message is durably accepted: committed to the outbox, or accepted by the SMTP
 *   server (250 after DATA). It rejects otherwise; callers decide whether a lost mail matters.
 * - A message has exactly one recipient and single-line `to` and `subject` (no header injection); both adapters
 *   reject anything else with a TypeError before doing any I/O (see `assertMailMessage`).
 * - The sender is the adapter's configured `from`; callers never choose it.
 * - `close` releases connections; `send` after `close` rejects.
 */

/** One outgoing message. */
export interface MailMessage {
  /** The single recipient's address. */
  readonly to: string;
  /** One line. */
  readonly subject: string;
  /** Plain-text body (always sent). */
  readonly text: string;
  /** Optional HTML alternative. */
  readonly html?: string;
  /** Tenant on whose behalf the mail is sent, when there is one (kept with outbox rows). */
  readonly tenantId?: string;
}

/** The mail port. */
export interface Mailer {
  /** Sends (or stores, on the outbox adapter) one message. */
  send(message: MailMessage): Promise<void>;
  /** Releases connections. */
  close(): Promise<void>;
}

// One address, no spaces or line breaks: deliberately narrower than RFC 5322, mirroring createUser's check.
const ADDRESS = /^[^\s@<>",]+@[^\s@<>",]+$/;
const LINE_BREAK = /[\r\n]/;

/** Rejects a message the contract does not allow, with a TypeError naming the field. */
export function assertMailMessage(message: MailMessage): void {
  if (typeof message.to !== 'string' || !ADDRESS.test(message.to) || message.to.length > 320) {
    throw new TypeError('mail "to" must be one email address');
  }
  if (typeof message.subject !== 'string' || LINE_BREAK.test(message.subject) || message.subject.length > 998) {
    throw new TypeError('mail "subject" must be one line');
  }
  if (typeof message.text !== 'string') throw new TypeError('mail "text" must be a string');
  if (message.html !== undefined && typeof message.html !== 'string') {
    throw new TypeError('mail "html" must be a string when given');
  }
}
