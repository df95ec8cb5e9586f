/**
 * The call audit: every model call outcome — memo hit, completed call, fallback, refusal, error, shadow run —
 * is one row with tenant, user, task, flag variant, prompt version hash, model, input and output hashes, tokens,
 * cost, latency, cache hit and status. Inputs and outputs themselves are not copied here (hashes only).
 */
import { randomUUID } from 'node:crypto';
import type { Store } from '../../data/store/port.ts';
import { type AiCallStatus, aiDb } from '../gateway/tables.ts';

/** One call outcome to audit. */
export interface CallRecord {
  readonly tenantId: string;
  readonly userId: string;
  readonly task: string;
  readonly entryId?: string;
  readonly flagVariant: string;
  readonly promptHash: string;
  /** The model the flag asked for. */
  readonly requestedModel: string;
  /** The model that answered (after fallback), or the requested one when none did. */
  readonly model: string;
  readonly inputHash: string;
  readonly outputHash?: string;
  readonly callKey: string;
  readonly jobId?: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costMicros: number;
  readonly latencyMs: number;
  readonly cacheHit: boolean;
  readonly shadow: boolean;
  readonly status: AiCallStatus;
  readonly error?: string;
}

/** Appends one audit row; returns its id. */
export async function recordCall(store: Store, record: CallRecord): Promise<string> {
  const id = randomUUID();
  await aiDb(store.db)
    .insertInto('ai_calls')
    .values({
      id,
      tenant_id: record.tenantId,
      user_id: record.userId,
      task: record.task,
      entry_id: record.entryId ?? null,
      flag_variant: record.flagVariant,
      prompt_hash: record.promptHash,
      requested_model: record.requestedModel,
      model: record.model,
      input_hash: record.inputHash,
      output_hash: record.outputHash ?? null,
      call_key: record.callKey,
      job_id: record.jobId ?? null,
      tokens_in: record.inputTokens,
      tokens_out: record.outputTokens,
      cost_micros: record.costMicros,
      latency_ms: Math.round(record.latencyMs),
      cache_hit: record.cacheHit ? 1 : 0,
      shadow: record.shadow ? 1 : 0,
      status: record.status,
      error: record.error?.slice(0, 500) ?? null,
      created_at: new Date().toISOString(),
    })
    .execute();
  return id;
}

/**
 * What a call payload says about the audit row: the identity of the call (its `model` is the requested one);
 * outcome fields start at zero.
 */
export type CallIdentity = Pick<
  CallRecord,
  | 'tenantId'
  | 'userId'
  | 'task'
  | 'entryId'
  | 'flagVariant'
  | 'promptHash'
  | 'model'
  | 'inputHash'
  | 'callKey'
  | 'shadow'
>;

/** An audit record for `call` with `status`, zero usage, and `fields` on top. */
export function callRecordOf(
  call: CallIdentity,
  status: CallRecord['status'],
  fields: Partial<CallRecord> = {},
): CallRecord {
  return {
    tenantId: call.tenantId,
    userId: call.userId,
    task: call.task,
    ...(call.entryId === undefined ? {} : { entryId: call.entryId }),
    flagVariant: call.flagVariant,
    promptHash: call.promptHash,
    requestedModel: call.model,
    model: call.model,
    inputHash: call.inputHash,
    callKey: call.callKey,
    inputTokens: 0,
    outputTokens: 0,
    costMicros: 0,
    latencyMs: 0,
    cacheHit: false,
    shadow: call.shadow,
    status,
    ...fields,
  };
}
