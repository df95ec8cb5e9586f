/**
 * The editor asks for AI help on an entry: `POST …/entries/{id}/ai/{task}`.
 *
 * Every request goes through the task's flag first (`ai.<task>`): `off` refuses, `on` serves the flag's prompt
 * label and model, `shadow` serves the same and additionally runs the candidate label on a sample of requests
 * in the background (low priority, stored and audited, never shown). Then: the entry's fields (plus retrieved
 * related entries for tasks that need them) become the normalized input; a memoized (or near-duplicate reuse)
 * result answers at once; otherwise the call is queued and the caller gets the job id (callAnswerer.ts).
 */
import { getEntry } from '../../content/entries/entryReader.ts';
import type { Principal } from '../../experience/auth/principal.ts';
import { GalleyError } from '../../experience/errors/errors.ts';
import { authorizeAi } from '../aiPolicies.ts';
import type { AiTaskFlagEvaluation } from '../flags/flagService.ts';
import { retrieveRelated } from '../retrieval/relatedRetriever.ts';
import { isTaskName, TASK_POLICIES, type TaskInput, type TaskName } from '../tasks.ts';
import type { AiRuntime } from './aiRuntime.ts';
import { type AiTaskOutcome, answerOrEnqueue } from './callAnswerer.ts';
import { enqueueCall, prepareCall } from './callPreparer.ts';
import type { ModelCallPayload } from './modelCallJob.ts';

/** Related entries offered to tasks that need retrieval. */
const RETRIEVAL_LIMIT = 8;
/** Background shadow runs yield to every real request. */
const SHADOW_PRIORITY = -10;

/** Input of requestAiTask. */
export interface AiTaskRequestProps {
  readonly runtime: AiRuntime;
  readonly actor: Principal;
  readonly tenantId: string;
  readonly entryId: string;
  /** The task name from the URL (validated here). */
  readonly task: string;
}

function flagOf(evaluation: AiTaskFlagEvaluation, task: TaskName): void {
  if (evaluation.value.mode === 'off') {
    throw new GalleyError('GALLEY_AI_TASK_DISABLED', `the ai.${task} flag is off for this request`);
  }
}

/** Deterministic sample: the same call is always in or always out. */
function sampled(callKey: string, rate: number): boolean {
  return Number.parseInt(callKey.slice(0, 8), 16) / 0xffffffff < rate;
}

/** Handles one request; see the module comment. */
export async function requestAiTask(props: AiTaskRequestProps): Promise<AiTaskOutcome> {
  const { runtime, actor, tenantId } = props;
  if (!isTaskName(props.task)) throw new GalleyError('GALLEY_AI_TASK_UNKNOWN', `there is no AI task "${props.task}"`);
  const task = props.task;
  const entry = await getEntry({ store: runtime.plane.store, actor, tenantId, id: props.entryId });
  authorizeAi('ai.run', actor, { tenantId, authorId: entry.authorId });

  const flag = await runtime.flags.evaluateAiTask(task, { tenantId, role: actor.role, userId: actor.subject });
  flagOf(flag, task);
  const prompt = await runtime.prompts.byLabel(task, flag.value.label).catch((error: unknown) => {
    if (error instanceof GalleyError && error.code === 'GALLEY_NOT_FOUND') {
      throw new GalleyError('GALLEY_AI_PROMPT_MISSING', `no ${task} prompt is labelled "${flag.value.label}"`);
    }
    throw error;
  });

  const fields = entry.fields as Record<string, unknown>;
  const input: TaskInput = {
    title: typeof fields.title === 'string' ? fields.title : '',
    body: typeof fields.body === 'string' ? fields.body : '',
    tags: Array.isArray(fields.tags) ? fields.tags.filter((t): t is string => typeof t === 'string') : [],
  };
  const withContext: TaskInput = TASK_POLICIES[task].needsRetrieval
    ? {
        ...input,
        context: await retrieveRelated({
          search: runtime.plane.publishedSearch,
          tenantId,
          entryId: entry.id,
          title: input.title,
          tags: input.tags,
          limit: RETRIEVAL_LIMIT,
        }).then((docs) => {
          runtime.metrics?.recordRetrieval(task, docs.length > 0);
          return docs;
        }),
      }
    : input;

  const scope = TASK_POLICIES[task].memoScope === 'tenant' ? `tenant:${tenantId}` : `user:${actor.subject}`;
  const payload = prepareCall({
    tenantId,
    userId: actor.subject,
    entryId: entry.id,
    task,
    input: withContext,
    prompt,
    promptLabel: flag.value.label,
    model: flag.value.model,
    fallbackModel: flag.value.fallbackModel,
    scope,
    flagVariant: flag.variant,
    shadow: false,
  });
  if (flag.value.mode === 'shadow') await startShadow(runtime, flag, payload, scope, withContext);

  return answerOrEnqueue(runtime, payload);
}

/** Queues the candidate version on the same input for a sample of requests; failures never reach the editor. */
async function startShadow(
  runtime: AiRuntime,
  flag: AiTaskFlagEvaluation,
  primary: ModelCallPayload,
  scope: string,
  input: TaskInput,
): Promise<void> {
  const rate = flag.value.shadowSampleRate ?? 0;
  if (!sampled(primary.callKey, rate)) return;
  const candidateLabel = flag.value.candidateLabel ?? 'candidate';
  try {
    const candidate = await runtime.prompts.byLabel(primary.task, candidateLabel);
    if (candidate.hash === primary.promptHash) return;
    const payload = prepareCall({
      tenantId: primary.tenantId,
      userId: primary.userId,
      ...(primary.entryId === undefined ? {} : { entryId: primary.entryId }),
      task: primary.task,
      input,
      prompt: candidate,
      promptLabel: candidateLabel,
      model: flag.value.model,
      fallbackModel: flag.value.fallbackModel,
      scope: `shadow:${scope}`,
      flagVariant: `${flag.variant}:shadow`,
      shadow: true,
    });
    await enqueueCall(runtime, payload, { priority: SHADOW_PRIORITY });
  } catch {
    // A missing candidate label or a full queue must not affect the editor's request.
  }
}
