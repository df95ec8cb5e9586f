/**
 * Embedded mail adapter: every message becomes a row of `mail_outbox` in the store (either dialect), so a
 * single-process install needs no mail server and an operator reads pending mail with `galley mail outbox`.
 * Nothing is ever delivered from here; the table is the destination.
 */
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Store } from '../../store/port.ts';
import type { Database } from '../../store/schema.ts';
import { assertMailMessage, type Mailer, type MailMessage } from '../port.ts';
import type { MailOutboxTable, MailTables } from '../tables.ts';

/** Rows a read may return at most. */
export const MAX_OUTBOX_READ = 1000;

function outboxDb(store: Store): Kysely<Database & MailTables> {
  return store.db.withTables<MailTables>();
}

/** A mailer that writes to the outbox table. The store stays the caller's to close. */
export function createOutboxMailer(store: Store): Mailer {
  let closed = false;
  return {
    async send(message: MailMessage): Promise<void> {
      if (closed) throw new Error('mailer is closed');
      assertMailMessage(message);
      const row: Insertable<MailOutboxTable> = {
        tenant_id: message.tenantId ?? null,
        // Lower case, so the CLI's --to filter matches however the address was typed.
        to_address: message.to.toLowerCase(),
        subject: message.subject,
        text_body: message.text,
        html_body: message.html ?? null,
        created_at: new Date().toISOString(),
      };
      await outboxDb(store).insertInto('mail_outbox').values(row).execute();
    },
    async close(): Promise<void> {
      closed = true;
    },
  };
}

/** A filter for reading the outbox. */
export interface ReadOutboxOptions {
  /** Only mail to this address (compared case-insensitively). */
  readonly to?: string;
  /** At most this many rows (1 to MAX_OUTBOX_READ); default 20. */
  readonly limit?: number;
}

/** Outbox rows, newest first. */
export async function readOutbox(
  store: Store,
  options: ReadOutboxOptions = {},
): Promise<Selectable<MailOutboxTable>[]> {
  const limit = options.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_OUTBOX_READ) {
    throw new RangeError(`outbox read limit must be an integer from 1 to ${MAX_OUTBOX_READ}, got ${limit}`);
  }
  let query = outboxDb(store).selectFrom('mail_outbox').selectAll();
  if (options.to !== undefined) query = query.where('to_address', '=', options.to.trim().toLowerCase());
  return query.orderBy('id', 'desc').limit(limit).execute();
}
