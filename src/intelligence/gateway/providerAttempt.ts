/**
 * One attempt to answer a call with one model: render the prompt (redacting PII first when the tenant requires
 * it and the model is external), call the provider inside a GenAI span with a deadline, and parse the output.
 * A truncated or schema-invalid output fails the attempt like a provider error does.
 */
import { withModelCallSpan } from '../../ops/tracing/genai.ts';
import type { PromptVersion } from '../prompts/promptVersion.ts';
import { renderPrompt } from '../prompts/renderPrompt.ts';
import type { ModelInfo } from '../providers/models.ts';
import type { ModelProvider, ModelResponse } from '../providers/port.ts';
import { estimatePromptTokens } from '../providers/tokens.ts';
import { redactPii } from '../safety/pii.ts';
import type { TaskInput, TaskName } from '../tasks.ts';
import { InvalidOutputError, parseTaskOutput } from './outputParser.ts';

/** What an attempt needs. */
export interface AttemptProps {
  readonly task: TaskName;
  readonly provider: ModelProvider;
  readonly info: ModelInfo;
  readonly prompt: PromptVersion;
  readonly input: TaskInput;
  /** Redact PII before an external provider sees the input. */
  readonly redactPii: boolean;
  /** The tenant opted in to message content on the span. */
  readonly recordContent: boolean;
  readonly signal: AbortSignal;
  /** Span attributes that are not the model's. */
  readonly span: { readonly flagVariant: string; readonly tenantTier: string; readonly promptLabel: string };
}

/** A successful attempt. */
export interface AttemptResult {
  readonly response: ModelResponse;
  readonly output: unknown;
}

/** Input with PII replaced by placeholders in every text field. */
function redactInput(input: TaskInput): TaskInput {
  return {
    ...input,
    title: redactPii(input.title).text,
    body: redactPii(input.body).text,
    ...(input.context === undefined
      ? {}
      : {
          context: input.context.map((d) => ({
            ...d,
            title: redactPii(d.title).text,
            snippet: redactPii(d.snippet).text,
          })),
        }),
  };
}

/** Token estimate of the rendered prompt for `input` (the budget reservation's input part). */
export function estimateInputTokens(prompt: PromptVersion, input: TaskInput): number {
  return estimatePromptTokens(renderPrompt(prompt, input));
}

/** Runs the attempt; rejects with the provider's error, the abort reason or InvalidOutputError. */
export async function attemptCall(props: AttemptProps): Promise<AttemptResult> {
  const external = props.provider.name !== 'local';
  const input = external && props.redactPii ? redactInput(props.input) : props.input;
  return withModelCallSpan(
    {
      operation: 'chat',
      provider: props.provider.name,
      requestModel: props.info.id,
      task: props.task,
      promptKey: props.task,
      promptVersion: props.span.promptLabel,
      promptHash: props.prompt.hash,
      flagVariant: props.span.flagVariant,
      tenantTier: props.span.tenantTier,
      recordContent: props.recordContent,
    },
    async (span) => {
      const messages = renderPrompt(props.prompt, input);
      const response = await props.provider.complete({
        model: props.info.id,
        task: props.task,
        messages,
        input,
        params: props.prompt.params,
        outputSchema: props.prompt.outputSchema,
        signal: props.signal,
      });
      span.setResponse({
        responseModel: response.model,
        inputTokens: response.usage.inputTokens,
        outputTokens: response.usage.outputTokens,
        finishReason: response.finishReason,
      });
      span.setContent(messages, [{ role: 'assistant', content: response.text }]);
      if (response.finishReason === 'length') throw new InvalidOutputError(`${props.task}: the output was truncated`);
      if (response.finishReason === 'content_filter') {
        throw new InvalidOutputError(`${props.task}: the provider filtered the output`);
      }
      return { response, output: parseTaskOutput(props.task, response.text) };
    },
  );
}
