/**
 * Prompt versions (src/intelligence/prompts): immutable versions keyed by the sha256 of their canonical content,
 * movable labels per task, and the audit trail of every label move.
 *
 * - `ai_prompt_versions.canonical` is the canonical JSON the hash was computed from (task, system, user, params,
 *   output schema); a row is never updated. `created_at` is epoch ms.
 * - `ai_prompt_labels` holds one pointer per (task, label), e.g. `summary`/`production` → a version hash.
 * - `ai_prompt_label_events` records every move (`from_hash` null when the label was created). `at` (epoch ms) is
 *   strictly increasing along one label's moves, so history sorts by it.
 */
import type { Migration } from './migration.ts';

export const migration: Migration = {
  async up(db) {
    await db.schema
      .createTable('ai_prompt_versions')
      .ifNotExists()
      .addColumn('hash', 'text', (c) => c.primaryKey())
      .addColumn('task', 'text', (c) => c.notNull())
      .addColumn('canonical', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    // `galley prompts list --task t`, newest first.
    await db.schema
      .createIndex('ai_prompt_versions_task_idx')
      .ifNotExists()
      .on('ai_prompt_versions')
      .columns(['task', 'created_at'])
      .execute();

    await db.schema
      .createTable('ai_prompt_labels')
      .ifNotExists()
      .addColumn('task', 'text', (c) => c.notNull())
      .addColumn('label', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull().references('ai_prompt_versions.hash'))
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('ai_prompt_labels_pk', ['task', 'label'])
      .execute();
    // The foreign key's referencing side, so versions can be checked for labels cheaply.
    await db.schema
      .createIndex('ai_prompt_labels_hash_idx')
      .ifNotExists()
      .on('ai_prompt_labels')
      .column('hash')
      .execute();

    await db.schema
      .createTable('ai_prompt_label_events')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('task', 'text', (c) => c.notNull())
      .addColumn('label', 'text', (c) => c.notNull())
      .addColumn('from_hash', 'text')
      .addColumn('to_hash', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .execute();
    // `galley prompts history <task>`.
    await db.schema
      .createIndex('ai_prompt_label_events_task_idx')
      .ifNotExists()
      .on('ai_prompt_label_events')
      .columns(['task', 'at'])
      .execute();
  },
};
