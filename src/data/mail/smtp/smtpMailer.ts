/**
 * Distributed mail adapter: SMTP submission through nodemailer's pooled transport. Configuration is the
 * GALLEY_SMTP_URL setting (`smtp://user:pass@host:587` upgrades with STARTTLS when offered, `smtps://…:465` is
 * implicit TLS; nodemailer's URL query options such as `?requireTLS=true` pass through). `send` resolves when
 * the server has accepted the message after DATA; a refusal or a dead server rejects it.
 */
import nodemailer from 'nodemailer';
import { assertMailMessage, type Mailer, type MailMessage } from '../port.ts';

/** Options of the SMTP mailer. */
export interface SmtpMailerOptions {
  /** smtp:// or smtps:// URL, credentials included. */
  readonly url: string;
  /** Sender address (`From`), e.g. `Galley <no-reply@example.com>`. */
  readonly from: string;
  /** Connections kept open at most; default 2 (account mail is low volume). */
  readonly maxConnections?: number;
}

// Short enough that a dead relay fails a request quickly, long enough for a slow greeting.
const CONNECTION_TIMEOUT_MS = 10_000;
const GREETING_TIMEOUT_MS = 10_000;
const SOCKET_TIMEOUT_MS = 30_000;

/** A mailer that submits over SMTP. */
export function createSmtpMailer(options: SmtpMailerOptions): Mailer {
  const transport = nodemailer.createTransport(
    {
      url: options.url,
      pool: true,
      maxConnections: options.maxConnections ?? 2,
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      greetingTimeout: GREETING_TIMEOUT_MS,
      socketTimeout: SOCKET_TIMEOUT_MS,
    },
    { from: options.from },
  );
  let closed = false;
  return {
    async send(message: MailMessage): Promise<void> {
      if (closed) throw new Error('mailer is closed');
      assertMailMessage(message);
      await transport.sendMail({
        to: message.to,
        subject: message.subject,
        text: message.text,
        ...(message.html === undefined ? {} : { html: message.html }),
      });
    },
    async close(): Promise<void> {
      closed = true;
      transport.close();
    },
  };
}
