/**
 * FOR TESTS, DRILLS AND BENCHMARKS. A real HTTP model server on 127.0.0.1 (random port) speaking the OpenAI Chat
 * Completions API (`POST /v1/chat/completions`, `GET /v1/models`) and the Anthropic Messages API
 * (`POST /v1/messages`), so the real SDKs are exercised over real sockets. By default it answers every task with
 * plausible schema-valid JSON (modelServerReplies.ts) and usage computed from text length; tests script failures
 * (`failNext(2, 429, { retryAfter: 1 })`), replies (`reply(fn)`), latency, hangs and outages (`down()`/`up()`).
 *
 * The task of a request is read from the OpenAI `response_format.json_schema.name` (`galley_<task>`), the
 * `galley-task` header both Galley adapters send, or a `galley-task: <task>` marker in the prompt text.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ModelRequest } from '../../src/intelligence/providers/port.ts';
import { TASK_OUTPUT_SCHEMAS, TASK_POLICIES, type TaskName } from '../../src/intelligence/tasks.ts';
import {
  anthropicBody,
  completion,
  errorBody,
  type ModelServerApi,
  type ModelServerReply,
  type ModelServerRequest,
  modelList,
  openAiBody,
  parseRequest,
} from './modelServerWire.ts';

export type {
  ModelServerApi,
  ModelServerFinish,
  ModelServerReply,
  ModelServerRequest,
  ReplyUsage,
} from './modelServerWire.ts';

/** Scripts replies per request. */
export type ModelServerScript = (
  request: ModelServerRequest,
) => ModelServerReply | undefined | Promise<ModelServerReply | undefined>;

/** Start-up options. */
export interface ModelServerOptions {
  /** Fixed delay before every answer, in ms (default 0). */
  readonly latencyMs?: number;
  /** Extra delay per output token, in ms (default 0), for a decode-time-like latency. */
  readonly msPerOutputToken?: number;
  /** When set, requests must carry it (`Authorization: Bearer` or `x-api-key`), else 401. */
  readonly apiKey?: string;
  /** Ids listed by `GET /v1/models`. */
  readonly models?: readonly string[];
}

/** A running server. */
export interface ModelServer {
  /** Base URL for both SDKs: `http://127.0.0.1:<port>/v1`. */
  readonly url: string;
  /** Every request so far, in arrival order. */
  readonly requests: readonly ModelServerRequest[];
  /** Requests being answered (delayed or hanging) right now. */
  readonly inFlight: number;
  /** Sets the reply script (undefined restores the default replies). */
  reply(script: ModelServerScript | undefined): void;
  /** Sets the delay model: `ms` before every answer plus `msPerOutputToken` per output token. */
  latency(ms: number, msPerOutputToken?: number): void;
  /** Multiplies every delay by `factor` (a degraded provider; 1 = normal). */
  slow(factor: number): void;
  /** The next `count` chat requests fail with `status` (Retry-After in seconds, or retry-after-ms). */
  failNext(count: number, status: number, options?: { retryAfter?: number; retryAfterMs?: number }): void;
  /** Stops listening and drops every connection: clients get connection errors until `up()`. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  /** Resolves once at least `count` requests arrived; rejects after `timeoutMs` (default 10 s). */
  waitForRequests(count: number, timeoutMs?: number): Promise<readonly ModelServerRequest[]>;
  /** Forgets recorded requests. */
  clearRequests(): void;
  /** Back to defaults: no script, no pending failures, start-up latency, factor 1, no recorded requests. */
  reset(): void;
  /** Closes the server and every connection, cancelling delayed and hanging answers. */
  close(): Promise<void>;
}

interface Failure {
  readonly status: number;
  readonly headers: Record<string, string>;
}

/** Starts a model server on loopback. */
export async function startModelServer(options: ModelServerOptions = {}): Promise<ModelServer> {
  const requests: ModelServerRequest[] = [];
  const failures: Failure[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let script: ModelServerScript | undefined;
  let latencyMs = options.latencyMs ?? 0;
  let msPerToken = options.msPerOutputToken ?? 0;
  let factor = 1;
  let inFlight = 0;
  let closed = false;

  const delay = (res: ServerResponse, outputTokens: number): Promise<boolean> => {
    const ms = (latencyMs + msPerToken * outputTokens) * factor;
    if (ms <= 0) return Promise.resolve(!res.destroyed);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        res.off('close', gone);
        resolve(!res.destroyed);
      }, ms);
      const gone = (): void => {
        clearTimeout(timer);
        timers.delete(timer);
        resolve(false);
      };
      timers.add(timer);
      res.once('close', gone);
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readBody(req);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const api = apiOf(req.method ?? 'GET', path);
    if (api === undefined) return send(res, 404, { error: { message: `no route ${req.method} ${path}` } });
    const request = parseRequest(api, req, path, raw);
    requests.push(request);
    if (options.apiKey !== undefined && !authorized(req.headers, options.apiKey)) {
      return send(res, 401, errorBody(api, 401, 'invalid api key'));
    }
    if (api === 'models') return send(res, 200, modelList(options.models));
    if (request.body === undefined) return send(res, 400, errorBody(api, 400, 'body is not valid JSON'));
    const failure = failures.shift();
    if (failure !== undefined) {
      if (!(await delay(res, 0))) return;
      return send(res, failure.status, errorBody(api, failure.status, 'scripted failure'), failure.headers);
    }
    const reply = await script?.(request);
    if (reply !== undefined && 'hang' in reply) return; // the response stays open until the client or close() ends it
    if (reply !== undefined && 'reset' in reply) {
      req.socket.destroy();
      return;
    }
    if (reply !== undefined && 'status' in reply) {
      if (!(await delay(res, 0))) return;
      const body =
        typeof reply.body === 'string'
          ? reply.body
          : JSON.stringify(reply.body ?? errorBody(api, reply.status, 'scripted'));
      return sendRaw(res, reply.status, body, { 'content-type': 'application/json', ...reply.headers });
    }
    const answer = completion(request, reply);
    if (!(await delay(res, answer.outputTokens))) return;
    send(res, 200, api === 'anthropic' ? anthropicBody(request, answer) : openAiBody(request, answer));
  };

  const server = createServer((req, res) => {
    inFlight += 1;
    res.once('close', () => {
      inFlight -= 1;
    });
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent || res.destroyed) return;
      send(res, 500, {
        error: { message: `model server fault: ${error instanceof Error ? error.message : String(error)}` },
      });
    });
  });
  server.keepAliveTimeout = 1000;
  await listen(server, 0);
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    get inFlight() {
      return inFlight;
    },
    reply(next) {
      script = next;
    },
    latency(ms, perToken = 0) {
      latencyMs = ms;
      msPerToken = perToken;
    },
    slow(next) {
      factor = next;
    },
    failNext(count, status, opts = {}) {
      const headers: Record<string, string> = {};
      if (opts.retryAfter !== undefined) headers['retry-after'] = String(opts.retryAfter);
      if (opts.retryAfterMs !== undefined) headers['retry-after-ms'] = String(opts.retryAfterMs);
      for (let i = 0; i < count; i++) failures.push({ status, headers });
    },
    async down() {
      if (!server.listening) return;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await stopped;
    },
    async up() {
      if (server.listening || closed) return;
      await listen(server, port);
    },
    async waitForRequests(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < count) {
        if (Date.now() > deadline)
          throw new Error(`model server got ${requests.length} of ${count} requests in ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return requests;
    },
    clearRequests() {
      requests.length = 0;
    },
    reset() {
      script = undefined;
      failures.length = 0;
      latencyMs = options.latencyMs ?? 0;
      msPerToken = options.msPerOutputToken ?? 0;
      factor = 1;
      requests.length = 0;
    },
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      if (!server.listening) return;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await stopped;
    },
  };
}

function listen(server: ReturnType<typeof createServer>, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    // A client that disconnects mid-body: answer nothing, just stop waiting.
    req.on('error', () => resolve(''));
  });
}

function apiOf(method: string, path: string): ModelServerApi | undefined {
  const route = path.replace(/\/+$/, '');
  if (method === 'POST' && route === '/v1/chat/completions') return 'openai';
  if (method === 'POST' && route === '/v1/messages') return 'anthropic';
  if (method === 'GET' && route === '/v1/models') return 'models';
  return undefined;
}

function authorized(headers: IncomingHttpHeaders, key: string): boolean {
  return headers.authorization === `Bearer ${key}` || headers['x-api-key'] === key;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendRaw(res, status, JSON.stringify(body), { 'content-type': 'application/json', ...headers });
}

function sendRaw(res: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, headers).end(body);
}

/** A ModelRequest for `task` as the gateway would send it (a system and a user message around `body`). */
export function buildModelRequest(
  task: TaskName,
  overrides: Partial<ModelRequest> & { readonly body?: string } = {},
): ModelRequest {
  const { body = 'Galley ships a new editor. It is faster and simpler.', ...rest } = overrides;
  return {
    model: 'gpt-4o-mini',
    task,
    messages: [
      { role: 'system', content: `You are Galley's ${task} assistant. Answer with JSON only.` },
      { role: 'user', content: `Entry:\n<entry>\n${body}\n</entry>` },
    ],
    input: { title: 'Test entry', body, tags: [] },
    params: { temperature: 0, maxOutputTokens: TASK_POLICIES[task].maxOutputTokens },
    outputSchema: TASK_OUTPUT_SCHEMAS[task],
    signal: AbortSignal.timeout(10_000),
    ...rest,
  };
}
