/**
 * Answers a prepared call without a model call when it can, else queues it: the exact memo first (same call
 * key), then near-duplicate reuse (the last answer computed for the same user, entry, prompt version and model,
 * when the input changed by less than the configured similarity allows; memo/nearDuplicates.ts), then the queue.
 * Both kinds of answer are audited (`cached`, `reused`) and counted, and carry no new tokens.
 */
import { callRecordOf, recordCall } from '../audit/callRecorder.ts';
import { reuseThreshold } from '../tasks.ts';
import type { AiRuntime } from './aiRuntime.ts';
import { enqueueCall } from './callPreparer.ts';
import type { ModelCallPayload, ModelCallResult } from './modelCallJob.ts';
import { callResultOf, type StoredResult } from './resultStore.ts';

/** A memoized or reused answer, or the queued job. */
export type AiTaskOutcome =
  | { readonly kind: 'done'; readonly result: ModelCallResult; readonly callKey: string }
  | { readonly kind: 'queued'; readonly jobId: string; readonly callKey: string };

/** Answers `payload` from the memo or a near-duplicate, or enqueues it. */
export async function answerOrEnqueue(runtime: AiRuntime, payload: ModelCallPayload): Promise<AiTaskOutcome> {
  const memoized = await runtime.memo.get(payload.callKey);
  if (memoized !== undefined) return answered(runtime, payload, memoized);
  if (payload.reuseKey !== undefined) {
    const threshold = reuseThreshold(payload.task, runtime.config.aiReuseSimilarity);
    const near = await runtime.memo.nearest(payload.reuseKey, payload.input, threshold);
    if (near !== undefined) return answered(runtime, payload, near.result, near.similarity);
  }
  return { kind: 'queued', jobId: await enqueueCall(runtime, payload), callKey: payload.callKey };
}

async function answered(
  runtime: AiRuntime,
  payload: ModelCallPayload,
  stored: StoredResult,
  similarity?: number,
): Promise<AiTaskOutcome> {
  const outcome = similarity === undefined ? 'cached' : 'reused';
  const settings = await runtime.settings.get(payload.tenantId);
  await recordCall(
    runtime.plane.store,
    callRecordOf(payload, outcome, { model: stored.model, outputHash: stored.outputHash, cacheHit: true }),
  );
  runtime.metrics?.recordAiCall({ task: payload.task, model: stored.model, tier: settings.tier, outcome });
  return {
    kind: 'done',
    callKey: payload.callKey,
    result: {
      ...callResultOf(stored, 'ok'),
      ...(similarity === undefined
        ? {}
        : { reusedFrom: { callKey: stored.callKey, similarity: Math.round(similarity * 1000) / 1000 } }),
    },
  };
}
