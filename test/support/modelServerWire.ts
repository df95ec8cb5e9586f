/**
 * FOR TESTS ONLY. The wire side of the test model server (modelServer.ts): parsing OpenAI Chat Completions and
 * Anthropic Messages requests, and writing their success and error bodies the way the real APIs do, so the
 * official SDKs parse them unchanged.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { estimatePromptTokens, estimateTokens } from '../../src/intelligence/providers/tokens.ts';
import { isTaskName, type TaskName } from '../../src/intelligence/tasks.ts';
import { defaultOutput } from './modelServerReplies.ts';

/** Which API a request used. */
export type ModelServerApi = 'openai' | 'anthropic' | 'models';

/** One request as received. */
export interface ModelServerRequest {
  readonly api: ModelServerApi;
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body (undefined for GET or unparsable bodies). */
  readonly body: unknown;
  readonly task: TaskName | undefined;
  readonly model: string | undefined;
  /** System prompt text (OpenAI system messages or Anthropic `system`). */
  readonly system: string;
  /** User message text, joined. */
  readonly user: string;
  /** The output token limit asked for (`max_tokens` / `max_completion_tokens`). */
  readonly maxTokens: number | undefined;
  /** Date.now() at arrival. */
  readonly at: number;
}

/** How the model finished a scripted reply. */
export type ModelServerFinish = 'stop' | 'length' | 'content_filter';

/** What a reply script may answer; `undefined` = the default reply. */
export type ModelServerReply =
  /** A JSON output (serialized as the model's text). */
  | { readonly json: unknown; readonly finish?: ModelServerFinish; readonly usage?: ReplyUsage }
  /** Raw model text (e.g. invalid JSON, prose, a fenced block). */
  | { readonly text: string; readonly finish?: ModelServerFinish; readonly usage?: ReplyUsage }
  /** The default output truncated, with finish reason length / stop_reason max_tokens. */
  | { readonly finish: 'length' }
  /** A raw HTTP answer (an error status, odd headers); an object `body` is sent as JSON. */
  | { readonly status: number; readonly headers?: Readonly<Record<string, string>>; readonly body?: unknown }
  /** Never answer (until the client gives up or the server closes). */
  | { readonly hang: true }
  /** Destroy the connection without an answer (a network fault). */
  | { readonly reset: true };

/** Usage figures overriding the computed ones. */
export interface ReplyUsage {
  readonly inputTokens?: number;
  readonly outputTokens?: number;
}

/** The `GET /v1/models` body. */
export function modelList(models: readonly string[] | undefined): unknown {
  const ids = models ?? ['gpt-4o-mini', 'gpt-4.1-mini', 'gpt-4o', 'claude-haiku-4-5', 'claude-sonnet-4-5'];
  return {
    object: 'list',
    data: ids.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'galley-test' })),
  };
}

type Json = Record<string, unknown>;

function asRecord(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/** Text of a message content: a string or an array of `{ type: 'text', text }` parts. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (typeof asRecord(part)?.text === 'string' ? String(asRecord(part)?.text) : '')).join('');
}

/** Reads one request: its API, task, model, prompt text and token limit. */
export function parseRequest(api: ModelServerApi, req: IncomingMessage, path: string, raw: string): ModelServerRequest {
  let body: unknown;
  try {
    body = raw === '' ? undefined : JSON.parse(raw);
  } catch {
    body = undefined;
  }
  const json = asRecord(body) ?? {};
  const messages = Array.isArray(json.messages) ? json.messages.map((m) => asRecord(m) ?? {}) : [];
  const textOf = (role: string): string =>
    messages
      .filter((m) => m.role === role)
      .map((m) => contentText(m.content))
      .join('\n\n');
  const system = api === 'anthropic' ? contentText(json.system) : textOf('system');
  const user = textOf('user');
  const maxTokens = json.max_tokens ?? json.max_completion_tokens;
  return {
    api,
    method: req.method ?? '',
    path,
    headers: req.headers,
    body,
    task: taskOf(json, req.headers, `${system}\n${user}`),
    model: typeof json.model === 'string' ? json.model : undefined,
    system,
    user,
    maxTokens: typeof maxTokens === 'number' ? maxTokens : undefined,
    at: Date.now(),
  };
}

function taskOf(json: Json, headers: IncomingHttpHeaders, prompt: string): TaskName | undefined {
  const schemaName = asRecord(asRecord(json.response_format)?.json_schema)?.name;
  const candidates = [
    typeof schemaName === 'string' ? /^galley_(\w+)$/.exec(schemaName)?.[1] : undefined,
    typeof headers['galley-task'] === 'string' ? headers['galley-task'] : undefined,
    /galley-task:\s*(\w+)/.exec(prompt)?.[1],
  ];
  return candidates.find((c): c is TaskName => c !== undefined && isTaskName(c));
}

/** A successful reply before it is put in an API shape. */
export interface Answer {
  readonly text: string;
  readonly finish: ModelServerFinish;
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** The model text, finish reason and usage of a successful reply (undefined = default), honouring max_tokens. */
export function completion(request: ModelServerRequest, reply: ModelServerReply | undefined): Answer {
  let text = JSON.stringify(defaultOutput(request.task, request.user));
  let finish: ModelServerFinish = 'stop';
  let usage: ReplyUsage = {};
  if (reply !== undefined && ('json' in reply || 'text' in reply)) {
    text = 'text' in reply ? reply.text : JSON.stringify(reply.json);
    finish = reply.finish ?? 'stop';
    usage = reply.usage ?? {};
  } else if (reply !== undefined && 'finish' in reply) {
    text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
    finish = 'length';
  }
  let outputTokens = estimateTokens(text);
  if (request.maxTokens !== undefined && outputTokens > request.maxTokens) {
    text = text.slice(0, request.maxTokens * 4);
    outputTokens = request.maxTokens;
    finish = 'length';
  }
  const messages = [{ content: request.system }, { content: request.user }].filter((m) => m.content !== '');
  return {
    text,
    finish,
    inputTokens: usage.inputTokens ?? estimatePromptTokens(messages),
    outputTokens: usage.outputTokens ?? outputTokens,
  };
}

let sequence = 0;

/** A Chat Completions body. */
export function openAiBody(request: ModelServerRequest, answer: Answer): unknown {
  sequence += 1;
  return {
    id: `chatcmpl-galley-${sequence}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: request.model ?? 'unknown',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: answer.text, refusal: null },
        logprobs: null,
        finish_reason: answer.finish,
      },
    ],
    usage: {
      prompt_tokens: answer.inputTokens,
      completion_tokens: answer.outputTokens,
      total_tokens: answer.inputTokens + answer.outputTokens,
    },
  };
}

const ANTHROPIC_STOP: Readonly<Record<ModelServerFinish, string>> = {
  stop: 'end_turn',
  length: 'max_tokens',
  content_filter: 'refusal',
};

/** A Messages body. */
export function anthropicBody(request: ModelServerRequest, answer: Answer): unknown {
  sequence += 1;
  return {
    id: `msg_galley_${sequence}`,
    type: 'message',
    role: 'assistant',
    model: request.model ?? 'unknown',
    content: [{ type: 'text', text: answer.text }],
    stop_reason: ANTHROPIC_STOP[answer.finish],
    stop_sequence: null,
    usage: { input_tokens: answer.inputTokens, output_tokens: answer.outputTokens },
  };
}

/** An error body in the API's own shape. */
export function errorBody(api: ModelServerApi, status: number, message: string): unknown {
  const type =
    status === 429
      ? 'rate_limit_error'
      : status === 529
        ? 'overloaded_error'
        : status === 401
          ? 'authentication_error'
          : status >= 500
            ? 'api_error'
            : 'invalid_request_error';
  if (api === 'anthropic') return { type: 'error', error: { type, message } };
  return { error: { message, type, param: null, code: null } };
}
