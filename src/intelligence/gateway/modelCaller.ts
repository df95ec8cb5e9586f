/**
 * The `ai.call` worker: answers one call key exactly once.
 *
 * 1. A stored result for the call key ends the job at once (a redelivered job after a crash, or a duplicate).
 * 2. Admission: the tenant's per-minute token bucket and monthly budget are reserved atomically for the
 *    estimate (prompt + the prompt version's output cap). Over the bucket or the budget the call goes to the
 *    local model, or is refused when the tenant chose `refuse` at the cap.
 * 3. The model is called under the task's deadline (80 % of it for the primary model, so the fallback still
 *    answers within the task's timeout); a failure, timeout, truncated or invalid output falls back to the flag's
 *    fallback model.
 * 4. The result is stored insert-once (one stored result per call key), the reservation settled to the actual
 *    usage, budget warnings claimed, the call audited, memoized, and its completion announced.
 */
import { appendEvent } from '../../data/events/eventLog.ts';
import type { Job, JobHandler } from '../../data/queue/port.ts';
import { type CallRecord, callRecordOf, recordCall } from '../audit/callRecorder.ts';
import type { BudgetCaps, Reservation } from '../budgets/budgetGuard.ts';
import type { TenantAiSettings } from '../budgets/tenantAiSettings.ts';
import type { PromptVersion } from '../prompts/promptVersion.ts';
import { costUsd, type ModelInfo } from '../providers/models.ts';
import { TASK_POLICIES, type TaskName, type TaskOutput } from '../tasks.ts';
import type { AiRuntime } from './aiRuntime.ts';
import { type ModelCallPayload, type ModelCallResult, parseModelCallPayload } from './modelCallJob.ts';
import { anchorPiiFindings } from './piiAnchoring.ts';
import { type AttemptResult, attemptCall, estimateInputTokens } from './providerAttempt.ts';
import { callResultOf, findResult, saveResult } from './resultStore.ts';
import type { AiCallStatus } from './tables.ts';

/** The built-in model every call can fall back to. */
export const LOCAL_MODEL = 'galley-local-1';
/** Share of the task timeout the primary model gets; the rest is the fallback's. */
const PRIMARY_SHARE = 0.8;

function micros(usd: number): number {
  return Math.round(usd * 1e6);
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

interface Admission {
  readonly model: string;
  readonly reservation?: Reservation;
  /** Why the primary model was skipped. */
  readonly skipped?: 'budget' | 'rate';
  readonly refused?: boolean;
}

/** Bucket then budget; both atomic in the kv port. */
async function admit(
  runtime: AiRuntime,
  payload: ModelCallPayload,
  prompt: PromptVersion,
  settings: TenantAiSettings,
  caps: BudgetCaps,
): Promise<Admission> {
  let info: ModelInfo;
  try {
    info = runtime.providers.forModel(payload.model).info;
  } catch {
    // An unknown model or an unconfigured provider: nothing to reserve; the attempt fails and falls back.
    return { model: payload.model };
  }
  const inputTokens = estimateInputTokens(prompt, payload.input);
  const tokens = inputTokens + prompt.params.maxOutputTokens;
  const perMinute = runtime.config.aiTenantTokensPerMinute;
  if (perMinute > 0) {
    const minute = Math.floor(Date.now() / 60_000);
    const bucket = await runtime.plane.kv.incrementWithLimit(
      `aibucket:${payload.tenantId}:${minute}`,
      tokens,
      perMinute,
      {
        ttlMs: 120_000,
      },
    );
    if (!bucket.ok) return { model: LOCAL_MODEL, skipped: 'rate' };
  }
  const costMicros = micros(costUsd(info, { inputTokens, outputTokens: prompt.params.maxOutputTokens }));
  const reserved = await runtime.budgets.reserve(payload.tenantId, payload.callKey, { tokens, costMicros }, caps);
  if (reserved.ok) return { model: payload.model, reservation: reserved.reservation };
  if (settings.atCap === 'refuse') return { model: payload.model, skipped: 'budget', refused: true };
  return { model: LOCAL_MODEL, skipped: 'budget' };
}

/** Handler options (tests and drills shorten timeouts). */
export interface ModelCallHandlerOptions {
  /** The task's timeout; default TASK_POLICIES[task].timeoutMs. */
  readonly timeoutMs?: (task: TaskName) => number;
}

/** Builds the handler over the runtime. */
export function createModelCallHandler(
  runtime: AiRuntime,
  options: ModelCallHandlerOptions = {},
): JobHandler<unknown, ModelCallResult> {
  const timeoutOf = options.timeoutMs ?? ((task: TaskName) => TASK_POLICIES[task].timeoutMs);
  const { store } = runtime.plane;
  return async (job: Job<unknown>, signal: AbortSignal) => {
    const payload = parseModelCallPayload(job.payload);
    const started = performance.now();
    const existing = await findResult(store, payload.callKey);
    if (existing !== undefined) return callResultOf(existing, existing.model === payload.model ? 'ok' : 'fallback');

    const prompt = await runtime.prompts.byHash(payload.promptHash);
    const settings = await runtime.settings.get(payload.tenantId);
    const caps: BudgetCaps = { tokens: settings.monthlyTokenCap, costMicros: settings.monthlyCostCapMicros };
    const admission = await admit(runtime, payload, prompt, settings, caps);
    const audit = async (status: AiCallStatus, fields: Partial<CallRecord> = {}) => {
      await recordCall(
        store,
        callRecordOf(payload, status, { jobId: job.id, latencyMs: performance.now() - started, ...fields }),
      );
    };
    const tier = settings.tier;

    if (admission.refused === true) {
      await audit('budget_exceeded', { error: 'monthly budget reached' });
      runtime.metrics?.recordAiCall({ task: payload.task, model: payload.model, tier, outcome: 'budget_exceeded' });
      await runtime.completions.announce(job.id);
      return refusal(payload, 'GALLEY_AI_BUDGET_EXCEEDED', "the tenant's monthly AI budget is used up", started);
    }

    const timeoutMs = timeoutOf(payload.task);
    const deadline = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
    const primaryDeadline = AbortSignal.any([deadline, AbortSignal.timeout(Math.round(timeoutMs * PRIMARY_SHARE))]);
    const spanInfo = {
      flagVariant: payload.flagVariant,
      tenantTier: tier,
      promptLabel: payload.promptLabel ?? 'unknown',
    };
    const attempt = (model: string, attemptSignal: AbortSignal): Promise<AttemptResult & { model: string }> => {
      const { provider, info } = runtime.providers.forModel(model);
      return attemptCall({
        task: payload.task,
        provider,
        info,
        prompt,
        input: payload.input,
        redactPii: settings.redactPii,
        recordContent: settings.recordContent,
        signal: attemptSignal,
        span: spanInfo,
      }).then((r) => ({ ...r, model }));
    };

    let answer: (AttemptResult & { model: string }) | undefined;
    let primaryError: string | undefined;
    try {
      answer = await attempt(admission.model, primaryDeadline);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      primaryError = describe(error);
    }
    if (admission.reservation !== undefined && answer === undefined) {
      await runtime.budgets.settle(admission.reservation, { tokens: 0, costMicros: 0 }, caps);
    }
    let status: 'ok' | 'fallback' = admission.skipped === undefined ? 'ok' : 'fallback';
    if (answer === undefined) {
      // Past the bucket or the budget only the local model may answer; otherwise the flag's fallback model.
      const fallback =
        admission.skipped !== undefined || payload.fallbackModel === admission.model
          ? LOCAL_MODEL
          : payload.fallbackModel;
      status = 'fallback';
      try {
        answer = await attempt(fallback, deadline);
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        const timedOut = deadline.aborted;
        const message = `primary: ${primaryError ?? 'skipped'}; fallback: ${describe(error)}`;
        await audit(timedOut ? 'timeout' : 'error', { error: message });
        runtime.metrics?.recordAiCall({
          task: payload.task,
          model: payload.model,
          tier,
          outcome: timedOut ? 'timeout' : 'error',
          seconds: (performance.now() - started) / 1000,
        });
        await runtime.completions.announce(job.id);
        return refusal(payload, timedOut ? 'GALLEY_AI_TIMEOUT' : 'GALLEY_AI_PROVIDER_FAILED', message, started);
      }
    }

    const { info, provider } = runtime.providers.forModel(answer.model);
    const output =
      payload.task === 'pii' && provider.name !== 'local'
        ? anchorPiiFindings(answer.output as TaskOutput<'pii'>, payload.input)
        : answer.output;
    const usage = answer.response.usage;
    const costMicros = micros(costUsd(info, usage));
    const latencyMs = performance.now() - started;
    const { stored } = await saveResult(store, {
      callKey: payload.callKey,
      tenantId: payload.tenantId,
      task: payload.task,
      promptHash: payload.promptHash,
      model: answer.model,
      text: JSON.stringify(output),
      usage,
      costMicros,
      latencyMs,
    });
    if (admission.reservation !== undefined && answer.model === admission.model) {
      const after = await runtime.budgets.settle(
        admission.reservation,
        { tokens: usage.inputTokens + usage.outputTokens, costMicros },
        caps,
      );
      const ratio = Math.max(
        caps.tokens > 0 ? after.tokens / caps.tokens : 0,
        caps.costMicros > 0 ? after.costMicros / caps.costMicros : 0,
      );
      runtime.budgetReadings.record(payload.tenantId, tier, ratio);
      await warnIfCrossed(runtime, payload.tenantId, tier, after, caps);
    }
    await audit(status, {
      model: answer.model,
      outputHash: stored.outputHash,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      costMicros,
      latencyMs,
      ...(primaryError === undefined ? {} : { error: primaryError }),
    });
    if (!payload.shadow) {
      // Only an answer of the requested model anchors near-duplicate reuse; a fallback's answer serves its exact
      // input alone, so the next edit asks the requested model again.
      const anchor =
        payload.reuseKey !== undefined && answer.model === payload.model
          ? { reuseKey: payload.reuseKey, input: payload.input }
          : undefined;
      await runtime.memo.remember(stored, anchor);
    }
    runtime.metrics?.recordAiCall({
      task: payload.task,
      model: answer.model,
      tier,
      outcome: status,
      seconds: latencyMs / 1000,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      costUsd: costMicros / 1e6,
    });
    await runtime.completions.announce(job.id);
    return callResultOf(stored, status);
  };
}

function refusal(payload: ModelCallPayload, code: string, error: string, started: number): ModelCallResult {
  return {
    status: code === 'GALLEY_AI_BUDGET_EXCEEDED' ? 'refused' : 'error',
    task: payload.task,
    model: payload.model,
    promptHash: payload.promptHash,
    usage: { inputTokens: 0, outputTokens: 0 },
    costUsd: 0,
    latencyMs: performance.now() - started,
    code,
    error,
  };
}

/** Budget warnings at 80 %, 95 % and 100 %: once per tenant and month, as an event (webhook-able) and a metric. */
async function warnIfCrossed(
  runtime: AiRuntime,
  tenantId: string,
  tier: string,
  usage: { readonly month: string; readonly tokens: number; readonly costMicros: number },
  caps: BudgetCaps,
): Promise<void> {
  const levels = await runtime.budgets.claimWarnings(tenantId, usage, caps);
  for (const level of levels) {
    runtime.metrics?.recordBudgetWarning(tier, level);
    await appendEvent(runtime.plane.store.db, {
      tenantId,
      name: 'ai.budget.warning',
      subjectId: tenantId,
      actor: 'system',
      data: {
        level,
        month: usage.month,
        tokensUsed: usage.tokens,
        tokenCap: caps.tokens,
        costUsedUsd: usage.costMicros / 1e6,
        costCapUsd: caps.costMicros / 1e6,
      },
    });
  }
}
