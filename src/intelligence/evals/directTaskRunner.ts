/**
 * A TaskRunner without the gateway: renders a prompt version (from prompt sources on disk) and calls one provider
 * directly, validating the output against the task's schema. Used by the eval tests, which need the real local
 * model and the real prompt files but no data plane, and for calibrating a golden set against a prompt folder.
 * `galley eval` itself runs through the gateway (gateway/taskRunner.ts), so queue, memo and flags are exercised.
 */
import { performance } from 'node:perf_hooks';
import { Value } from 'typebox/value';
import type { RunSelection, TaskRun, TaskRunner } from '../gateway/runner.ts';
import { readPromptSources } from '../prompts/promptFiles.ts';
import type { PromptSource } from '../prompts/promptSource.ts';
import { type PromptVersion, versionOfSource } from '../prompts/promptVersion.ts';
import { renderPrompt } from '../prompts/renderPrompt.ts';
import type { ModelProvider } from '../providers/port.ts';
import { TASK_OUTPUT_SCHEMAS, TASK_POLICIES, type TaskInput, type TaskName } from '../tasks.ts';

/** What the direct runner needs. */
export interface DirectRunnerProps {
  /** Prompt versions by task (the "production" ones). */
  readonly versions: ReadonlyMap<TaskName, PromptVersion>;
  /** Extra versions addressable by hash (`selection.promptHash`). */
  readonly extra?: readonly PromptVersion[];
  readonly provider: ModelProvider;
  /** The model id sent to the provider. */
  readonly model: string;
}

/** The versions of the sources in `dir`, by task. */
export async function versionsFromDir(dir: string): Promise<Map<TaskName, PromptVersion>> {
  const sources: readonly PromptSource[] = await readPromptSources(dir);
  return new Map(sources.map((s) => [s.task, versionOfSource(s, 0)]));
}

/** A TaskRunner that renders `props.versions` and calls `props.provider` directly. */
export function directTaskRunner(props: DirectRunnerProps): TaskRunner {
  const byHash = new Map([...props.versions.values(), ...(props.extra ?? [])].map((v) => [v.hash, v]));
  return async (task: TaskName, input: TaskInput, selection?: RunSelection): Promise<TaskRun> => {
    const version = selection?.promptHash === undefined ? props.versions.get(task) : byHash.get(selection.promptHash);
    const model = selection?.model ?? props.model;
    const usage = { inputTokens: 0, outputTokens: 0 };
    if (version === undefined || version.task !== task) {
      return {
        output: undefined,
        model,
        promptHash: selection?.promptHash ?? '',
        usage,
        costUsd: 0,
        latencyMs: 0,
        error: 'no prompt version',
      };
    }
    const started = performance.now();
    try {
      const response = await props.provider.complete({
        model,
        task,
        messages: renderPrompt(version, input),
        input,
        params: version.params,
        outputSchema: version.outputSchema,
        signal: AbortSignal.timeout(TASK_POLICIES[task].timeoutMs),
      });
      const output: unknown = JSON.parse(response.text);
      const latencyMs = performance.now() - started;
      const valid = Value.Check(TASK_OUTPUT_SCHEMAS[task], output);
      return {
        output: valid ? output : undefined,
        model: response.model,
        promptHash: version.hash,
        usage: response.usage,
        costUsd: 0,
        latencyMs,
        ...(valid ? {} : { error: 'output does not match the task schema' }),
      };
    } catch (error) {
      return {
        output: undefined,
        model,
        promptHash: version.hash,
        usage,
        costUsd: 0,
        latencyMs: performance.now() - started,
        error: error instanceof Error ? error.message : String(error),
      };
    }
  };
}
