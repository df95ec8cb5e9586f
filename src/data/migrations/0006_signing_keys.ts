/** Token signing keys: private halves encrypted at rest; retired keys stay published until their tokens expire. */
import type { Migration } from './migration.ts';

export const migration: Migration = {
  async up(db) {
    await db.schema
      .createTable('signing_keys')
      .ifNotExists()
      .addColumn('kid', 'text', (c) => c.primaryKey())
      .addColumn('alg', 'text', (c) => c.notNull())
      .addColumn('private_jwk_sealed', 'text', (c) => c.notNull())
      .addColumn('public_jwk', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('retired_at', 'text')
      .execute();
  },
};
