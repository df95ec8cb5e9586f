/**
 * Turns a task request into a model call job: normalize the input, apply the task's injection policy to the
 * entry text and any retrieved context (content is untrusted input), compute the call key, and enqueue with the
 * call key as idempotency key and the tenant's concurrency limit. Shared by the editor's API, the shadow
 * sampler and the eval runner so all of them make exactly the same calls.
 */
import { GalleyError } from '../../experience/errors/errors.ts';
import { reuseKey } from '../memo/nearDuplicates.ts';
import type { PromptVersion } from '../prompts/promptVersion.ts';
import { detectInjection, stripInjection } from '../safety/injection.ts';
import { TASK_POLICIES, type TaskInput, type TaskName } from '../tasks.ts';
import type { AiRuntime } from './aiRuntime.ts';
import { callKey, inputHash, normalizeInput } from './callKey.ts';
import { AI_CALL_QUEUE, type ModelCallPayload } from './modelCallJob.ts';

/** What a call is made of. */
export interface CallRequest {
  readonly tenantId: string;
  readonly userId: string;
  readonly entryId?: string;
  readonly task: TaskName;
  readonly input: TaskInput;
  readonly prompt: PromptVersion;
  /** The label the prompt was resolved by (`version` when named by hash). */
  readonly promptLabel: string;
  readonly model: string;
  readonly fallbackModel: string;
  /** Memo and dedupe scope (see callKey.ts). */
  readonly scope: string;
  readonly flagVariant: string;
  readonly shadow: boolean;
}

/** The input after the task's injection policy: stripped, refused (throws) or flagged (signals kept). */
export function applyInjectionPolicy(
  task: TaskName,
  input: TaskInput,
): { readonly input: TaskInput; readonly signals: readonly string[] } {
  const policy = TASK_POLICIES[task].onInjection;
  const texts = [input.title, input.body, ...(input.context ?? []).flatMap((d) => [d.title, d.snippet])];
  const verdicts = texts.map((t) => detectInjection(t));
  const signals = [...new Set(verdicts.flatMap((v) => (v.injection || v.jailbreak || v.extraction ? v.signals : [])))];
  if (signals.length === 0) return { input, signals };
  if (policy === 'refuse') {
    throw new GalleyError(
      'GALLEY_AI_INPUT_REFUSED',
      `instructions aimed at the model were found (${signals.join(', ')})`,
    );
  }
  if (policy === 'flag') return { input, signals };
  const strip = (text: string) => stripInjection(text).text;
  return {
    input: {
      ...input,
      title: strip(input.title),
      body: strip(input.body),
      ...(input.context === undefined
        ? {}
        : { context: input.context.map((d) => ({ ...d, title: strip(d.title), snippet: strip(d.snippet) })) }),
    },
    signals,
  };
}

/** Builds the job payload for a request. Throws GALLEY_AI_INPUT_EMPTY / GALLEY_AI_INPUT_REFUSED. */
export function prepareCall(request: CallRequest): ModelCallPayload {
  const normalized = normalizeInput(request.input);
  if (normalized.title === '' && normalized.body === '') {
    throw new GalleyError('GALLEY_AI_INPUT_EMPTY', 'the entry has neither a title nor a body');
  }
  const safe = applyInjectionPolicy(request.task, normalized);
  const input = normalizeInput(safe.input);
  return Object.freeze({
    tenantId: request.tenantId,
    userId: request.userId,
    ...(request.entryId === undefined ? {} : { entryId: request.entryId }),
    task: request.task,
    promptHash: request.prompt.hash,
    promptLabel: request.promptLabel,
    model: request.model,
    fallbackModel: request.fallbackModel,
    input,
    callKey: callKey({
      promptHash: request.prompt.hash,
      model: request.model,
      params: request.prompt.params,
      input,
      scope: request.scope,
    }),
    ...(request.entryId === undefined || request.shadow || TASK_POLICIES[request.task].reuseSimilarity >= 1
      ? {}
      : {
          reuseKey: reuseKey({
            promptHash: request.prompt.hash,
            model: request.model,
            params: request.prompt.params,
            scope: request.scope,
            entryId: request.entryId,
          }),
        }),
    inputHash: inputHash(input),
    flagVariant: request.flagVariant,
    shadow: request.shadow,
    ...(safe.signals.length === 0 ? {} : { safetySignals: safe.signals }),
  });
}

/** Enqueues the call (same call key → same job) and remembers which tenant owns the job. */
export async function enqueueCall(
  runtime: AiRuntime,
  payload: ModelCallPayload,
  options: { readonly priority?: number } = {},
): Promise<string> {
  const { id } = await runtime.plane.queue.enqueue(AI_CALL_QUEUE, payload, {
    idempotencyKey: payload.callKey,
    priority: options.priority ?? 0,
    maxAttempts: 3,
    backoffMs: 500,
    concurrencyKey: `ai:${payload.tenantId}`,
    concurrencyLimit: runtime.config.aiTenantConcurrency,
  });
  await runtime.plane.kv.set(
    `aijob:${id}`,
    JSON.stringify({ tenantId: payload.tenantId, task: payload.task, shadow: payload.shadow }),
    { ttlMs: 24 * 3600 * 1000 },
  );
  return id;
}

/** The tenant and task of a job enqueued by enqueueCall (undefined when unknown or expired). */
export async function jobOwner(
  runtime: AiRuntime,
  jobId: string,
): Promise<{ readonly tenantId: string; readonly task: TaskName; readonly shadow: boolean } | undefined> {
  const raw = await runtime.plane.kv.get(`aijob:${jobId}`);
  return raw === undefined ? undefined : (JSON.parse(raw) as { tenantId: string; task: TaskName; shadow: boolean });
}
