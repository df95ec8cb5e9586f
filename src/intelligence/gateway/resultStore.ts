/**
 * Stored results: at most one per call key, output texts once per content hash. Both inserts are
 * insert-or-ignore, so when a job is redelivered after its worker died mid-call and both attempts finish, the
 * second finds the first one's row and adopts it: one call key, one stored result.
 */
import type { Store } from '../../data/store/port.ts';
import type { ModelUsage } from '../providers/port.ts';
import type { TaskName } from '../tasks.ts';
import { sha256 } from './callKey.ts';
import type { ModelCallResult } from './modelCallJob.ts';
import { aiDb } from './tables.ts';

/** A stored result, as read back. */
export interface StoredResult {
  readonly callKey: string;
  readonly tenantId: string;
  readonly task: TaskName;
  readonly promptHash: string;
  readonly model: string;
  readonly outputHash: string;
  /** The raw output text (JSON). */
  readonly text: string;
  readonly usage: ModelUsage;
  readonly costMicros: number;
  readonly latencyMs: number;
  /** Epoch ms. */
  readonly createdAt: number;
}

/** What `saveResult` stores. */
export interface NewResult {
  readonly callKey: string;
  readonly tenantId: string;
  readonly task: TaskName;
  readonly promptHash: string;
  readonly model: string;
  readonly text: string;
  readonly usage: ModelUsage;
  readonly costMicros: number;
  readonly latencyMs: number;
}

/** The stored result of `callKey`, if any. */
export async function findResult(store: Store, callKey: string): Promise<StoredResult | undefined> {
  const row = await aiDb(store.db)
    .selectFrom('ai_results as r')
    .innerJoin('ai_outputs as o', 'o.hash', 'r.output_hash')
    .selectAll('r')
    .select('o.text')
    .where('r.call_key', '=', callKey)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  return Object.freeze({
    callKey: row.call_key,
    tenantId: row.tenant_id,
    task: row.task as TaskName,
    promptHash: row.prompt_hash,
    model: row.model,
    outputHash: row.output_hash,
    text: row.text,
    usage: { inputTokens: Number(row.tokens_in), outputTokens: Number(row.tokens_out) },
    costMicros: Number(row.cost_micros),
    latencyMs: Number(row.latency_ms),
    createdAt: Date.parse(row.created_at),
  });
}

/**
 * Stores a result unless its call key already has one; returns the stored result either way (the earlier one
 * when there was one) and whether this call stored it.
 */
export async function saveResult(
  store: Store,
  result: NewResult,
): Promise<{ readonly stored: StoredResult; readonly created: boolean }> {
  const outputHash = sha256(result.text);
  const now = new Date().toISOString();
  const db = aiDb(store.db);
  const created = await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('ai_outputs')
      .values({ hash: outputHash, text: result.text, created_at: now })
      .onConflict((oc) => oc.column('hash').doNothing())
      .execute();
    const inserted = await trx
      .insertInto('ai_results')
      .values({
        call_key: result.callKey,
        tenant_id: result.tenantId,
        task: result.task,
        prompt_hash: result.promptHash,
        model: result.model,
        output_hash: outputHash,
        tokens_in: result.usage.inputTokens,
        tokens_out: result.usage.outputTokens,
        cost_micros: result.costMicros,
        latency_ms: Math.round(result.latencyMs),
        created_at: now,
      })
      .onConflict((oc) => oc.column('call_key').doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0;
  });
  const stored = await findResult(store, result.callKey);
  if (stored === undefined) throw new Error(`result of ${result.callKey} vanished after insert`);
  return { stored, created };
}

/** A stored result as a call's result (stored texts are the JSON of a parsed, schema-valid output). */
export function callResultOf(stored: StoredResult, status: 'ok' | 'fallback'): ModelCallResult {
  return {
    status,
    task: stored.task,
    output: JSON.parse(stored.text) as unknown,
    model: stored.model,
    promptHash: stored.promptHash,
    usage: stored.usage,
    costUsd: stored.costMicros / 1e6,
    latencyMs: stored.latencyMs,
  };
}
