/**
 * The authorization server's storage (oidc-provider adapter, experience/auth/oidc/storeAdapter.ts): one table for
 * every model the provider persists — sessions, interactions, grants, codes, device codes, access and refresh
 * tokens, dynamic clients — keyed by (model, id), with the secondary lookups the adapter contract needs (by grant,
 * by user code, by session uid). `payload` is the provider's JSON; `expires_at` and `consumed_at` are epoch ms so
 * expiry is one indexed comparison on both dialects.
 */
import type { Migration } from './migration.ts';

/** Creates `oidc_models` and its lookup indexes (partial: most rows have no grant, user code or uid). */
export const migration: Migration = {
  async up(db) {
    await db.schema
      .createTable('oidc_models')
      .ifNotExists()
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('grant_id', 'text')
      .addColumn('user_code', 'text')
      .addColumn('uid', 'text')
      .addColumn('expires_at', 'bigint')
      .addColumn('consumed_at', 'bigint')
      .addPrimaryKeyConstraint('oidc_models_pk', ['model', 'id'])
      .execute();
    await db.schema
      .createIndex('oidc_models_grant_idx')
      .ifNotExists()
      .on('oidc_models')
      .columns(['grant_id', 'model'])
      .where('grant_id', 'is not', null)
      .execute();
    await db.schema
      .createIndex('oidc_models_user_code_idx')
      .ifNotExists()
      .on('oidc_models')
      .columns(['user_code', 'model'])
      .where('user_code', 'is not', null)
      .execute();
    await db.schema
      .createIndex('oidc_models_uid_idx')
      .ifNotExists()
      .on('oidc_models')
      .columns(['uid', 'model'])
      .where('uid', 'is not', null)
      .execute();
    await db.schema
      .createIndex('oidc_models_expires_idx')
      .ifNotExists()
      .on('oidc_models')
      .column('expires_at')
      .where('expires_at', 'is not', null)
      .execute();
  },
};
