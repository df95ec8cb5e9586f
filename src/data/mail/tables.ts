/** Row types of the mail outbox (migration 0008). */
import type { Generated } from 'kysely';

/** One message written by the outbox adapter. */
export interface MailOutboxTable {
  /** Generated, increasing in insertion order. */
  id: Generated<number>;
  tenant_id: string | null;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  /** ISO-8601. */
  created_at: string;
}

/** The mail schema (a type alias: `withTables` needs an index-compatible object type). */
export type MailTables = {
  mail_outbox: MailOutboxTable;
};
