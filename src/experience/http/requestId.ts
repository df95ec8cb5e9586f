/**
 * Request ids: a caller (or proxy) may supply `x-request-id`; a sane one is kept so logs correlate across hops,
 * anything else is replaced by a fresh UUID. The id is echoed on every response and logged as `requestId`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

/** Header carrying the request id, in and out. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Accepted incoming ids: 1–128 characters that are safe in logs and headers. */
const SANE_ID = /^[A-Za-z0-9._:=+/-]{1,128}$/;

/** Fastify `genReqId`: the incoming id when sane, otherwise a random UUID. */
export function requestIdFor(req: IncomingMessage): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  return typeof incoming === 'string' && SANE_ID.test(incoming) ? incoming : randomUUID();
}

/** Echoes the request id on every routed response (including 404s and errors). */
export function installRequestIdEcho(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
}
