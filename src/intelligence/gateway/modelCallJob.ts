/**
 * The `ai.call` job: one model call for one call key. The API (and evals, and shadow sampling) enqueue it with
 * the call key as the queue's idempotency key, so the same request twice is one job and one model call.
 */
import type { TaskInput, TaskName } from '../tasks.ts';
import { isTaskName } from '../tasks.ts';

/** Queue name of model calls. */
export const AI_CALL_QUEUE = 'ai.call';

/** What one model call job carries. */
export interface ModelCallPayload {
  readonly tenantId: string;
  /** The user (or service account) the call is made for; `system` for evals. */
  readonly userId: string;
  readonly entryId?: string;
  readonly task: TaskName;
  readonly promptHash: string;
  /** The label that resolved the prompt version (`production`, `candidate` …), or `version` when named by hash. */
  readonly promptLabel: string;
  /** The model the flag (or the eval) asked for. */
  readonly model: string;
  /** Where to go when the model fails or times out. */
  readonly fallbackModel: string;
  /** Normalized input (injection patterns already stripped when the task policy says so). */
  readonly input: TaskInput;
  readonly callKey: string;
  /** Anchor of near-duplicate reuse (memo/nearDuplicates.ts); absent when the task or call never reuses. */
  readonly reuseKey?: string;
  readonly inputHash: string;
  /** The flag variant that chose this call (`eval` for evals). */
  readonly flagVariant: string;
  /** True for a shadow run: stored and audited, never shown. */
  readonly shadow: boolean;
  /** Safety signals found in the input (kept for the audit; the task policy was `flag`). */
  readonly safetySignals?: readonly string[];
}

/** What a finished job stores as its result. */
export interface ModelCallResult {
  readonly status: 'ok' | 'fallback' | 'error' | 'refused';
  readonly task: TaskName;
  /** The parsed, schema-valid output (absent on error or refusal). */
  readonly output?: unknown;
  readonly model: string;
  readonly promptHash: string;
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number };
  readonly costUsd: number;
  readonly latencyMs: number;
  /** A stable code when status is error or refused (`GALLEY_AI_BUDGET_EXCEEDED`, `provider_timeout` …). */
  readonly code?: string;
  readonly error?: string;
  /**
   * Set when this answer was computed for an earlier, near-identical version of the entry's text and reused
   * (memo/nearDuplicates.ts): that call's key and the similarity of the two inputs (0–1).
   */
  readonly reusedFrom?: { readonly callKey: string; readonly similarity: number };
}

/** Validates a job payload read back from the queue. */
export function parseModelCallPayload(value: unknown): ModelCallPayload {
  const p = value as Partial<ModelCallPayload> | null;
  if (
    p === null ||
    typeof p !== 'object' ||
    typeof p.tenantId !== 'string' ||
    typeof p.task !== 'string' ||
    !isTaskName(p.task) ||
    typeof p.promptHash !== 'string' ||
    typeof p.model !== 'string' ||
    typeof p.callKey !== 'string' ||
    typeof p.input !== 'object'
  ) {
    throw new Error('ai.call job payload is malformed');
  }
  return p as ModelCallPayload;
}
