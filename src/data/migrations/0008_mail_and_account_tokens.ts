/**
 * Mail outbox (the embedded mail adapter's sink, read with `galley mail outbox`) and single-use account tokens
 * (password reset, email verification), stored only as sha256 hashes. Timestamps are ISO-8601 text, so
 * `expires_at > now` compares correctly as text on both dialects.
 */
import { sql } from 'kysely';
import type { Migration } from './migration.ts';

export const migration: Migration = {
  async up(db, dialect) {
    const outbox = db.schema.createTable('mail_outbox').ifNotExists();
    // A generated id orders the outbox exactly (timestamps tie within a millisecond).
    await (dialect === 'postgres'
      ? outbox.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
      : outbox.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    )
      .addColumn('tenant_id', 'text')
      .addColumn('to_address', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('text_body', 'text', (c) => c.notNull())
      .addColumn('html_body', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('mail_outbox_to_idx')
      .ifNotExists()
      .on('mail_outbox')
      .columns(['to_address', 'id'])
      .execute();

    await db.schema
      .createTable('account_tokens')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('purpose', 'text', (c) => c.notNull().check(sql`purpose in ('password_reset','email_verification')`))
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('used_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('account_tokens_user_idx')
      .ifNotExists()
      .on('account_tokens')
      .columns(['user_id', 'purpose'])
      .execute();
  },
};
