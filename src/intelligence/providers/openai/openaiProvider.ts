/**
 * The `openai` adapter: any OpenAI-compatible Chat Completions endpoint (OpenAI, Azure, vLLM, Ollama, llama.cpp
 * server) through the official SDK with `baseURL`. It does not retry (`maxRetries: 0`: the resilience wrapper owns
 * retries so every provider gets one policy) and asks for structured output with the task's JSON schema
 * (`strict: false`, because Galley's schemas use keywords strict mode rejects, e.g. minLength, maxItems).
 */
import OpenAI from 'openai';
import type { ChatCompletion } from 'openai/resources/chat/completions';
import { fromSdkError, ProviderError, schemaObject } from '../errors.ts';
import type { ModelProvider, ModelRequest, ModelResponse } from '../port.ts';
import { estimatePromptTokens, estimateTokens } from '../tokens.ts';

/** Where the endpoint is. */
export interface OpenAiProviderProps {
  /** Base URL including the version path, e.g. `https://api.openai.com/v1` or `http://127.0.0.1:11434/v1`. */
  readonly baseURL: string;
  /** API key; local servers usually need none (a placeholder is sent because the SDK requires one). */
  readonly apiKey?: string;
}

/** Creates the `openai` provider. */
export function createOpenAiProvider(props: OpenAiProviderProps): ModelProvider {
  const client = new OpenAI({
    baseURL: props.baseURL,
    apiKey: props.apiKey ?? 'galley-no-key',
    maxRetries: 0,
    // The caller's AbortSignal bounds every call; this only stops a forgotten signal from waiting forever.
    timeout: 120_000,
  });
  return {
    name: 'openai',
    async complete(request: ModelRequest): Promise<ModelResponse> {
      let completion: ChatCompletion;
      try {
        completion = await client.chat.completions.create(
          {
            model: request.model,
            messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
            ...(request.params.temperature === undefined ? {} : { temperature: request.params.temperature }),
            // max_tokens rather than max_completion_tokens: vLLM, Ollama and llama.cpp all accept it.
            max_tokens: request.params.maxOutputTokens,
            response_format: {
              type: 'json_schema',
              json_schema: {
                name: `galley_${request.task}`,
                schema: schemaObject(request.outputSchema),
                strict: false,
              },
            },
          },
          { signal: request.signal, headers: { 'galley-task': request.task } },
        );
      } catch (error) {
        throw fromSdkError('openai', error, request.signal, OpenAI);
      }
      return toResponse(request, completion);
    },
  };
}

function toResponse(request: ModelRequest, completion: ChatCompletion): ModelResponse {
  const choice = completion.choices[0];
  const text = choice?.message.content;
  if (choice === undefined || typeof text !== 'string') {
    const refusal = choice?.message.refusal;
    throw new ProviderError({
      provider: 'openai',
      code: 'invalid_output',
      message: refusal ? `The model refused: ${refusal}` : 'The completion has no text content',
    });
  }
  return {
    model: completion.model || request.model,
    text,
    // Some compatible servers omit usage; budgets then settle to Galley's own estimate rather than to zero.
    usage: {
      inputTokens: completion.usage?.prompt_tokens ?? estimatePromptTokens(request.messages),
      outputTokens: completion.usage?.completion_tokens ?? estimateTokens(text),
    },
    finishReason: mapFinishReason(choice.finish_reason),
  };
}

function mapFinishReason(reason: string | null): ModelResponse['finishReason'] {
  if (reason === 'stop') return 'stop';
  if (reason === 'length') return 'length';
  if (reason === 'content_filter') return 'content_filter';
  return 'other';
}
