/**
 * Model-call spans following the OpenTelemetry GenAI semantic conventions (semantic-conventions 1.45, incubating
 * `gen_ai.*` names, copied here as OpenTelemetry advises for incubating attributes), plus Galley's own attributes:
 * the prompt version that produced the request, the flag variant that chose it, whether the answer came from the
 * memo cache, and the tenant's tier.
 *
 * Message content is never recorded unless the caller says the tenant opted in (`recordContent`); then
 * `setContent` adds `gen_ai.input.messages` / `gen_ai.output.messages`, otherwise it does nothing.
 */
import { type Span, SpanKind } from '@opentelemetry/api';
import { withSpan } from './spans.ts';

/** `gen_ai.*` attribute names (incubating in semantic-conventions 1.45). */
export const GEN_AI = Object.freeze({
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  finishReasons: 'gen_ai.response.finish_reasons',
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
});

/** Galley's attributes on model calls. */
export const GALLEY_AI = Object.freeze({
  task: 'galley.ai.task',
  promptKey: 'galley.prompt.key',
  promptVersion: 'galley.prompt.version',
  promptHash: 'galley.prompt.hash',
  flagVariant: 'galley.flag.variant',
  cacheHit: 'galley.cache.hit',
  tenantTier: 'galley.tenant.tier',
});

/** What is known about a model call before it is made. */
export interface ModelCallAttributes {
  readonly operation: 'chat';
  /** `gen_ai.provider.name`: `openai`, `anthropic`, `galley` (the local model) … */
  readonly provider: string;
  readonly requestModel: string;
  /** The AI task (summary, titles …). */
  readonly task: string;
  readonly promptKey: string;
  readonly promptVersion: string;
  readonly promptHash: string;
  readonly flagVariant: string;
  readonly tenantTier: string;
  readonly cacheHit?: boolean;
  /** The tenant opted in to recording message content; absent or false, content is never recorded. */
  readonly recordContent?: boolean;
}

/** What the provider answered. */
export interface ModelCallResponse {
  readonly responseModel: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly finishReason?: string;
}

/** The handle a model call's body receives. */
export interface ModelCallSpan {
  /** Records the response model, token usage and finish reason. */
  setResponse(attrs: ModelCallResponse): void;
  /** Records whether the answer came from the memo cache. */
  setCacheHit(hit: boolean): void;
  /**
   * Records the messages sent and the text received, only when the tenant opted in (`recordContent`); otherwise
   * does nothing. Values are JSON strings as the conventions' structured-message attributes expect.
   */
  setContent(input: unknown, output: unknown): void;
}

function handleFor(span: Span, recordContent: boolean): ModelCallSpan {
  return {
    setResponse(attrs) {
      span.setAttributes({
        [GEN_AI.responseModel]: attrs.responseModel,
        [GEN_AI.inputTokens]: attrs.inputTokens,
        [GEN_AI.outputTokens]: attrs.outputTokens,
        ...(attrs.finishReason === undefined ? {} : { [GEN_AI.finishReasons]: [attrs.finishReason] }),
      });
    },
    setCacheHit(hit) {
      span.setAttribute(GALLEY_AI.cacheHit, hit);
    },
    setContent(input, output) {
      if (!recordContent) return;
      span.setAttributes({
        [GEN_AI.inputMessages]: JSON.stringify(input),
        [GEN_AI.outputMessages]: JSON.stringify(output),
      });
    },
  };
}

/**
 * Runs one model call inside a CLIENT span named `chat <model>` carrying the request's gen_ai.* and galley.*
 * attributes; `fn` adds the response's. A failure is recorded on the span (exception event, `error.type`, error
 * status) and rethrown.
 */
export function withModelCallSpan<T>(
  attributes: ModelCallAttributes,
  fn: (span: ModelCallSpan) => Promise<T>,
): Promise<T> {
  return withSpan(
    `${attributes.operation} ${attributes.requestModel}`,
    {
      [GEN_AI.operationName]: attributes.operation,
      [GEN_AI.providerName]: attributes.provider,
      [GEN_AI.requestModel]: attributes.requestModel,
      [GALLEY_AI.task]: attributes.task,
      [GALLEY_AI.promptKey]: attributes.promptKey,
      [GALLEY_AI.promptVersion]: attributes.promptVersion,
      [GALLEY_AI.promptHash]: attributes.promptHash,
      [GALLEY_AI.flagVariant]: attributes.flagVariant,
      [GALLEY_AI.tenantTier]: attributes.tenantTier,
      ...(attributes.cacheHit === undefined ? {} : { [GALLEY_AI.cacheHit]: attributes.cacheHit }),
    },
    (span) => fn(handleFor(span, attributes.recordContent === true)),
    { kind: SpanKind.CLIENT },
  );
}
