/**
 * `/bff/api/<path>` → `/api/<path>` in-process (`app.inject`), with the session's access token as the bearer
 * token. The management API sees an ordinary authenticated request (same verification, policies, limits, client
 * address); the browser never holds a token. Cookies, the CSRF header and hop-by-hop headers are not passed on;
 * the API's own Set-Cookie (it sets none) would not be either, so only the BFF writes cookies.
 */
import type { FastifyInstance, FastifyRequest, HTTPMethods } from 'fastify';
import { GalleyError } from '../../errors/errors.ts';
import { BFF_PATH, CSRF_HEADER } from './sessionCookie.ts';

/** Request headers not forwarded to the API. */
const DROPPED_REQUEST_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'cookie',
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'content-length',
  'expect',
  CSRF_HEADER,
]);

/** Response headers not copied back to the browser. */
const DROPPED_RESPONSE_HEADERS: ReadonlySet<string> = new Set([
  'set-cookie',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'trailer',
  'upgrade',
]);

/** The API's answer, ready to send. */
export interface ProxiedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly body: Buffer;
}

/**
 * The API path a BFF URL stands for, query included; GALLEY_NOT_FOUND when it is not under `/api/` once dot
 * segments are resolved (`/bff/api/../oauth/token` must not reach the token endpoint).
 */
export function apiPathOf(rawUrl: string): string {
  const rest = rawUrl.startsWith(`${BFF_PATH}/`) ? rawUrl.slice(BFF_PATH.length) : '';
  const target = new URL(rest, 'http://bff.invalid');
  if (!target.pathname.startsWith('/api/')) throw new GalleyError('GALLEY_NOT_FOUND', 'no such API route');
  return `${target.pathname}${target.search}`;
}

/** Forwards the request to the API with `accessToken`; `body` is the raw request body, if any. */
export async function forwardToApi(
  app: FastifyInstance,
  request: FastifyRequest,
  accessToken: string,
  body: Buffer | undefined,
): Promise<ProxiedResponse> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && !DROPPED_REQUEST_HEADERS.has(name)) headers[name] = value;
  }
  headers.authorization = `Bearer ${accessToken}`;
  const response = await app.inject({
    method: request.method as HTTPMethods,
    url: apiPathOf(request.raw.url ?? request.url),
    headers,
    remoteAddress: request.ip,
    ...(body === undefined || body.length === 0 ? {} : { payload: body }),
  });
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value === undefined || DROPPED_RESPONSE_HEADERS.has(name)) continue;
    out[name] = Array.isArray(value) ? value : String(value);
  }
  return { status: response.statusCode, headers: out, body: response.rawPayload };
}
