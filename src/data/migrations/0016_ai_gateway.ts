/**
 * The model gateway (src/intelligence/gateway): stored results, output texts by hash, the call audit, and each
 * tenant's AI settings (budget caps, behaviour at the cap, PII redaction, tier).
 *
 * - `ai_outputs` holds each distinct output text once, keyed by its sha256 (dedupe across calls and tenants).
 * - `ai_results` holds at most one stored result per call key (sha256 of prompt version, model, params,
 *   normalized input and scope): the primary key is what makes a redelivered job unable to store a second one.
 * - `ai_calls` is the audit: one row per call attempt outcome, including memo hits, fallbacks, refusals and
 *   shadow runs. Costs are integer micro-dollars so sums are exact on both dialects.
 * - `ai_tenant_settings` is optional per tenant: absent means the configured defaults.
 */
import { sql } from 'kysely';
import type { Migration } from './migration.ts';

export const migration: Migration = {
  async up(db) {
    await db.schema
      .createTable('ai_outputs')
      .ifNotExists()
      .addColumn('hash', 'text', (c) => c.primaryKey())
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('ai_results')
      .ifNotExists()
      .addColumn('call_key', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('task', 'text', (c) => c.notNull())
      .addColumn('prompt_hash', 'text', (c) => c.notNull())
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('output_hash', 'text', (c) => c.notNull())
      .addColumn('tokens_in', 'bigint', (c) => c.notNull())
      .addColumn('tokens_out', 'bigint', (c) => c.notNull())
      .addColumn('cost_micros', 'bigint', (c) => c.notNull())
      .addColumn('latency_ms', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('ai_calls')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('task', 'text', (c) => c.notNull())
      .addColumn('entry_id', 'text')
      .addColumn('flag_variant', 'text', (c) => c.notNull())
      .addColumn('prompt_hash', 'text', (c) => c.notNull())
      .addColumn('requested_model', 'text', (c) => c.notNull())
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('input_hash', 'text', (c) => c.notNull())
      .addColumn('output_hash', 'text')
      .addColumn('call_key', 'text', (c) => c.notNull())
      .addColumn('job_id', 'text')
      .addColumn('tokens_in', 'bigint', (c) => c.notNull())
      .addColumn('tokens_out', 'bigint', (c) => c.notNull())
      .addColumn('cost_micros', 'bigint', (c) => c.notNull())
      .addColumn('latency_ms', 'bigint', (c) => c.notNull())
      .addColumn('cache_hit', 'bigint', (c) => c.notNull())
      .addColumn('shadow', 'bigint', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    // The audit listing, newest first per tenant, and the shadow comparison per task and prompt version.
    await db.schema
      .createIndex('ai_calls_tenant_created_idx')
      .ifNotExists()
      .on('ai_calls')
      .columns(['tenant_id', 'created_at', 'id'])
      .execute();
    await db.schema
      .createIndex('ai_calls_task_prompt_idx')
      .ifNotExists()
      .on('ai_calls')
      .columns(['task', 'prompt_hash', 'shadow', 'input_hash'])
      .execute();
    await db.schema
      .createTable('ai_tenant_settings')
      .ifNotExists()
      .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id').onDelete('cascade'))
      .addColumn('tier', 'text', (c) => c.notNull())
      .addColumn('monthly_token_cap', 'bigint')
      .addColumn('monthly_cost_cap_micros', 'bigint')
      .addColumn('at_cap', 'text', (c) => c.notNull().check(sql`at_cap in ('fallback','refuse')`))
      .addColumn('redact_pii', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
  },
};
