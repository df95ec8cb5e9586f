/**
 * A small HTTP client of the management API (`/api/v1/tenants/:tenant/...`) for CLI commands, authenticated with
 * the stored login: every request asks `getAccessToken`, which refreshes the token when it is about to expire.
 * Answers below 500 are returned as they are (the caller decides what a 4xx means); RFC 9457 problem bodies are
 * summarised by `problemText`.
 */
import { getAccessToken, serverKey } from './credentialsStore.ts';

/** One answer. */
export interface ApiAnswer {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON body, or undefined when there was none (or it was not JSON). */
  readonly body: unknown;
}

/** A request. */
export interface ApiRequest {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path below `/api/v1/tenants/<tenant>/`, e.g. `entries?limit=20`. */
  readonly path: string;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

/** A management API client bound to one server and tenant. */
export interface ManagementClient {
  readonly url: string;
  readonly tenant: string;
  send(request: ApiRequest): Promise<ApiAnswer>;
}

/** Options of createManagementClient. */
export interface ManagementClientOptions {
  /** Server URL (a stored login must exist for it). */
  readonly url: string;
  /** Tenant slug. */
  readonly tenant: string;
  /** Environment the credentials file is found through (tests point GALLEY_CONFIG_DIR elsewhere). */
  readonly env?: NodeJS.ProcessEnv;
  /** Per-request timeout; default 30 s. */
  readonly timeoutMs?: number;
}

/** Creates the client. */
export function createManagementClient(options: ManagementClientOptions): ManagementClient {
  const url = serverKey(options.url);
  const timeoutMs = options.timeoutMs ?? 30_000;
  return {
    url,
    tenant: options.tenant,
    async send(request) {
      const token = await getAccessToken(url, options.env);
      const headers: Record<string, string> = {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...request.headers,
      };
      if (request.body !== undefined) headers['content-type'] = 'application/json';
      const timeout = AbortSignal.timeout(timeoutMs);
      const response = await fetch(`${url}/api/v1/tenants/${encodeURIComponent(options.tenant)}/${request.path}`, {
        method: request.method,
        headers,
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        signal: request.signal === undefined ? timeout : AbortSignal.any([timeout, request.signal]),
      });
      const text = await response.text();
      let body: unknown;
      try {
        body = text.length === 0 ? undefined : JSON.parse(text);
      } catch {
        body = undefined;
      }
      return { status: response.status, headers: response.headers, body };
    },
  };
}

/** A one-line summary of a refused answer: status, problem code and detail, and the first field errors. */
export function problemText(answer: ApiAnswer): string {
  const body = (typeof answer.body === 'object' && answer.body !== null ? answer.body : {}) as Record<string, unknown>;
  const parts = [String(answer.status)];
  if (typeof body.code === 'string') parts.push(body.code);
  if (typeof body.detail === 'string') parts.push(body.detail);
  else if (typeof body.title === 'string') parts.push(body.title);
  if (Array.isArray(body.errors)) {
    const fields = body.errors
      .slice(0, 3)
      .map((e: unknown) => {
        const item = (typeof e === 'object' && e !== null ? e : {}) as Record<string, unknown>;
        return `${String(item.field ?? '')} ${String(item.message ?? '')}`.trim();
      })
      .filter((s) => s.length > 0);
    if (fields.length > 0) parts.push(`(${fields.join('; ')})`);
  }
  return parts.join(' ');
}
