/**
 * The `anthropic` adapter: the Messages API through @anthropic-ai/sdk. The prompt's system messages become the
 * `system` field; JSON-only output is asked for by instruction (with the task's schema) rather than by prefill,
 * which newer Claude models refuse, or `output_config.format`, whose schema subset rejects Galley's keywords and
 * which compatible proxies may not implement. The reply's text blocks are joined and unwrapped from any code fence
 * or surrounding prose, so the gateway receives the bare JSON to validate. No retries here (`maxRetries: 0`).
 */
import Anthropic from '@anthropic-ai/sdk';
import type { Message } from '@anthropic-ai/sdk/resources/messages';
import { fromSdkError, schemaObject } from '../errors.ts';
import type { ModelProvider, ModelRequest, ModelResponse } from '../port.ts';

/** Where the endpoint is and how to authenticate. */
export interface AnthropicProviderProps {
  /** API base URL (default `https://api.anthropic.com`); a trailing `/v1` is accepted and removed. */
  readonly baseURL?: string;
  /** API key (`x-api-key`); a placeholder is sent when unset, for keyless compatible proxies. */
  readonly apiKey?: string;
}

/** Creates the `anthropic` provider. */
export function createAnthropicProvider(props: AnthropicProviderProps = {}): ModelProvider {
  const client = new Anthropic({
    // The SDK appends /v1/messages itself; accepting `…/v1` too lets one base URL serve both adapters.
    baseURL: (props.baseURL ?? 'https://api.anthropic.com').replace(/\/+$/, '').replace(/\/v1$/, ''),
    apiKey: props.apiKey ?? 'galley-no-key',
    authToken: null,
    maxRetries: 0,
    // The caller's AbortSignal bounds every call; this only stops a forgotten signal from waiting forever.
    timeout: 120_000,
  });
  return {
    name: 'anthropic',
    async complete(request: ModelRequest): Promise<ModelResponse> {
      let message: Message;
      try {
        message = await client.messages.create(
          {
            model: request.model,
            max_tokens: request.params.maxOutputTokens,
            system: systemPrompt(request),
            messages: request.messages
              .filter((m) => m.role === 'user')
              .map((m) => ({ role: 'user' as const, content: m.content })),
            ...(request.params.temperature === undefined ? {} : { temperature: request.params.temperature }),
          },
          { signal: request.signal, headers: { 'galley-task': request.task } },
        );
      } catch (error) {
        throw fromSdkError('anthropic', error, request.signal, Anthropic);
      }
      return toResponse(request, message);
    },
  };
}

function systemPrompt(request: ModelRequest): string {
  const system = request.messages
    .filter((m) => m.role === 'system')
    .map((m) => m.content)
    .join('\n\n');
  const instruction =
    'Reply with one JSON object only: no prose, no code fences. It must match this JSON schema:\n' +
    JSON.stringify(schemaObject(request.outputSchema));
  return system.length > 0 ? `${system}\n\n${instruction}` : instruction;
}

function toResponse(request: ModelRequest, message: Message): ModelResponse {
  const text = message.content
    .flatMap((block) => (block.type === 'text' ? [block.text] : []))
    .join('')
    .trim();
  const usage = message.usage;
  return {
    model: message.model || request.model,
    text: extractJson(text),
    usage: {
      // Cached prompt tokens are still prompt tokens for budgets and cost.
      inputTokens: usage.input_tokens + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0),
      outputTokens: usage.output_tokens,
    },
    finishReason: mapStopReason(message.stop_reason),
  };
}

/**
 * The JSON object inside a reply: unwraps a ```json fence or leading/trailing prose. Returns the text unchanged
 * when it holds no object, so the gateway's validation reports the real output.
 */
export function extractJson(text: string): string {
  const fenced = /^```[a-zA-Z]*\s*\n([\s\S]*?)\n?```$/.exec(text);
  const body = (fenced?.[1] ?? text).trim();
  if (body.startsWith('{')) return body;
  const start = body.indexOf('{');
  const end = body.lastIndexOf('}');
  return start >= 0 && end > start ? body.slice(start, end + 1) : body;
}

function mapStopReason(reason: Message['stop_reason']): ModelResponse['finishReason'] {
  if (reason === 'end_turn' || reason === 'stop_sequence') return 'stop';
  if (reason === 'max_tokens' || reason === 'model_context_window_exceeded') return 'length';
  if (reason === 'refusal') return 'content_filter';
  return 'other';
}
