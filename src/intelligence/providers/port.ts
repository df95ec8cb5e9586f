/**
 * The `ModelProvider` port: one call to a language model. Adapters: `openai/` (any OpenAI-compatible endpoint
 * through the official SDK with `baseURL`), `anthropic/` (@anthropic-ai/sdk) and `local/` (Galley's built-in
 * deterministic extractive model, `galley-local-1`, which needs no network).
 *
 * Contract:
 * - `complete` resolves with the model's raw text (JSON for every Galley task) and its token usage, or rejects
 *   with a `ProviderError` (providers/errors.ts) that says whether the failure is retryable (429, 5xx, network,
 *   timeout) and, when the provider sent one, how long to wait (`retryAfterMs`, from Retry-After).
 * - It honours `signal`: an aborted call rejects promptly and is not retried by the adapter.
 * - Adapters do not retry, break circuits or fall back; the gateway wraps them (cockatiel) so every provider gets
 *   the same policy.
 * - `finishReason: 'length'` marks a truncated output; the gateway never caches or stores one as a success.
 */
import type { TaskInput, TaskName } from '../tasks.ts';

/** A chat message of a rendered prompt. */
export interface ModelMessage {
  readonly role: 'system' | 'user';
  readonly content: string;
}

/** Sampling parameters a prompt version carries. */
export interface ModelParams {
  readonly temperature?: number;
  readonly maxOutputTokens: number;
  /**
   * Knobs of the built-in local model (e.g. `{ sentences: 3, maxChars: 155, maxTags: 6 }`), from the prompt
   * version; remote providers ignore them. This is how a prompt version changes what `galley-local-1` does.
   */
  readonly local?: Readonly<Record<string, string | number | boolean>>;
}

/** One model call. */
export interface ModelRequest {
  /** Model id as the provider knows it (`gpt-4o-mini`, `claude-haiku-4-5`, `galley-local-1`). */
  readonly model: string;
  readonly task: TaskName;
  /** The rendered prompt (system + user), what remote providers receive. */
  readonly messages: readonly ModelMessage[];
  /** The structured input the prompt was rendered from; the local model works from this, not from text. */
  readonly input: TaskInput;
  readonly params: ModelParams;
  /** JSON schema of the expected output (for providers' JSON/structured-output modes). */
  readonly outputSchema: unknown;
  readonly signal: AbortSignal;
}

/** Token usage of one call. */
export interface ModelUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** A model's reply. */
export interface ModelResponse {
  /** The model that answered, as the provider reports it. */
  readonly model: string;
  readonly text: string;
  readonly usage: ModelUsage;
  readonly finishReason: 'stop' | 'length' | 'content_filter' | 'other';
}

/** Provider family names. */
export type ProviderName = 'openai' | 'anthropic' | 'local';

/** One provider. */
export interface ModelProvider {
  readonly name: ProviderName;
  complete(request: ModelRequest): Promise<ModelResponse>;
}
