/**
 * `galley-local-1`, Galley's built-in model: deterministic, offline, CPU-only extractive NLP that implements every
 * AI task (summary, titles, tags, seo, pii, related). It reads the request's structured `input`, never the prompt
 * text, so prompt injection cannot steer it; a prompt version steers it through `params.local` knobs (documented
 * in each task's module). Same input and knobs, same output, on any machine.
 *
 * Usage figures follow the remote providers' shape: input tokens are the rendered prompt's estimate (or the
 * entry's title and body when the request has no messages), output tokens the estimate of the returned JSON.
 */
import type { TaskInput, TaskName } from '../../tasks.ts';
import type { ModelProvider, ModelRequest, ModelResponse } from '../port.ts';
import { estimatePromptTokens, estimateTokens } from '../tokens.ts';
import type { Knobs } from './knobs.ts';
import { piiTask } from './piiTask.ts';
import { relatedTask } from './relater.ts';
import { seoTask } from './seoDescriber.ts';
import { summaryTask } from './summarizer.ts';
import { tagsTask } from './tagger.ts';
import { titlesTask } from './titler.ts';

/** The model id the local provider answers as. */
export const LOCAL_MODEL = 'galley-local-1';

/** One task of the local model. */
type LocalTask = (input: TaskInput, knobs: Knobs | undefined) => unknown;

const TASKS: Readonly<Record<TaskName, LocalTask>> = Object.freeze({
  summary: summaryTask,
  titles: titlesTask,
  tags: tagsTask,
  seo: seoTask,
  pii: piiTask,
  related: relatedTask,
});

/**
 * Runs `task` on `input` with `knobs`: the local model's output object (matching `TASK_OUTPUT_SCHEMAS[task]`).
 * Throws `empty input` when title and body are both blank. For `pii`, offsets refer to `title + "\n\n" + body`.
 */
export function runLocalTask(task: TaskName, input: TaskInput, knobs?: Knobs): unknown {
  if (input.title.trim() === '' && input.body.trim() === '') throw new Error('empty input');
  // The task name arrives typed, but from queued JSON; an unknown one must not read a prototype property.
  if (!Object.hasOwn(TASKS, task)) throw new Error(`unknown task: ${String(task)}`);
  return TASKS[task](input, knobs);
}

/** Creates the local provider. It keeps no state, so one instance serves every tenant. */
export function createLocalProvider(): ModelProvider {
  return {
    name: 'local',
    async complete(request: ModelRequest): Promise<ModelResponse> {
      request.signal.throwIfAborted();
      const text = JSON.stringify(runLocalTask(request.task, request.input, request.params.local));
      request.signal.throwIfAborted();
      const inputTokens =
        request.messages.length > 0
          ? estimatePromptTokens(request.messages)
          : estimateTokens(`${request.input.title}\n\n${request.input.body}`);
      return {
        model: LOCAL_MODEL,
        text,
        usage: { inputTokens, outputTokens: estimateTokens(text) },
        finishReason: 'stop',
      };
    },
  };
}
