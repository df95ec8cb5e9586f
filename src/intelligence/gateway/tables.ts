/** Row types of the gateway tables (migration 0016) and the typed handle over them. */
import type { Kysely } from 'kysely';
import type { Database } from '../../data/store/schema.ts';
import { AI_CALL_OUTCOMES } from '../../ops/metrics/labels.ts';

/** One distinct output text, stored once. */
export interface AiOutputsTable {
  hash: string;
  text: string;
  created_at: string;
}

/** The one stored result of a call key. */
export interface AiResultsTable {
  call_key: string;
  tenant_id: string;
  task: string;
  prompt_hash: string;
  model: string;
  output_hash: string;
  tokens_in: number;
  tokens_out: number;
  cost_micros: number;
  latency_ms: number;
  created_at: string;
}

/** Outcome of one audited call: the same vocabulary as the `outcome` label of the model-call metrics. */
export const AI_CALL_STATUSES = AI_CALL_OUTCOMES;
/** One audited call's outcome. */
export type AiCallStatus = (typeof AI_CALL_STATUSES)[number];

/** One audited call. */
export interface AiCallsTable {
  id: string;
  tenant_id: string;
  user_id: string;
  task: string;
  entry_id: string | null;
  flag_variant: string;
  prompt_hash: string;
  requested_model: string;
  model: string;
  input_hash: string;
  output_hash: string | null;
  call_key: string;
  job_id: string | null;
  tokens_in: number;
  tokens_out: number;
  cost_micros: number;
  latency_ms: number;
  cache_hit: number;
  shadow: number;
  status: AiCallStatus;
  error: string | null;
  created_at: string;
}

/** A tenant's AI settings. */
export interface AiTenantSettingsTable {
  tenant_id: string;
  tier: string;
  monthly_token_cap: number | null;
  monthly_cost_cap_micros: number | null;
  at_cap: 'fallback' | 'refuse';
  redact_pii: number;
  /** 1 when the tenant opted in to message content in traces (migration 0019); null or 0 = never recorded. */
  record_content: number | null;
  updated_at: string;
}

/** The gateway tables alone. */
export type AiOnlyTables = {
  ai_outputs: AiOutputsTable;
  ai_results: AiResultsTable;
  ai_calls: AiCallsTable;
  ai_tenant_settings: AiTenantSettingsTable;
};

/** The store (or a transaction) typed over the identity and gateway tables. */
export function aiDb(db: Kysely<Database>): Kysely<Database & AiOnlyTables> {
  return db.withTables<AiOnlyTables>();
}
