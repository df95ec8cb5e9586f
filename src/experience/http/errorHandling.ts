/**
 * Every 4xx/5xx Galley sends is application/problem+json. Four entry points lead here: the route error handler,
 * the not-found handler, Fastify's pre-routing `frameworkErrors` (malformed URLs) and the socket-level
 * `clientError` (request timeout, oversized headers, unparseable HTTP) that never reaches a route.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GalleyError } from '../errors/errors.ts';
import { instanceOf, PROBLEM_CONTENT_TYPE, problemBody, toGalleyError } from './problem.ts';
import { REQUEST_ID_HEADER } from './requestId.ts';

/** Renders `error` as a problem response on `reply`, logging it at a level that matches who is at fault. */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const problem = toGalleyError(error);
  if (problem.status >= 500 && problem.code === 'GALLEY_INTERNAL') {
    request.log.error({ err: problem.cause ?? problem, code: problem.code }, 'request failed');
  } else if (problem.status >= 500) {
    request.log.warn({ code: problem.code, detail: problem.message }, 'request refused');
  } else {
    request.log.info({ code: problem.code, detail: problem.message }, 'request rejected');
  }
  reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).header(REQUEST_ID_HEADER, request.id);
  if (problem.retryAfterSeconds !== undefined) reply.header('retry-after', String(problem.retryAfterSeconds));
  // Sent pre-serialised so a route's response schema can never strip problem members.
  return reply.send(JSON.stringify(problemBody(problem, request.id, instanceOf(request.url))));
}

/** Installs the problem error and not-found handlers on the root instance (inherited by every route plugin). */
export function installProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => sendProblem(request, reply, error));
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      request,
      reply,
      new GalleyError('GALLEY_NOT_FOUND', `No route matches ${request.method} ${instanceOf(request.url)}`),
    ),
  );
}

/** Fastify `frameworkErrors` option: errors raised before routing (a malformed URL, an over-long parameter). */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  sendProblem(request, reply, error);
}

/** Socket errors Node reports before any request object exists. */
function clientProblem(error: NodeJS.ErrnoException): GalleyError {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return new GalleyError('GALLEY_REQUEST_TIMEOUT', 'The request was not received completely in time');
  }
  if (error.code === 'HPE_HEADER_OVERFLOW') return new GalleyError('GALLEY_HEADERS_TOO_LARGE');
  return new GalleyError('GALLEY_BAD_REQUEST', 'Malformed HTTP request');
}

/**
 * Fastify `clientErrorHandler` option (called with the instance as `this`): answers with a problem, then closes
 * the socket, as Node does by default.
 */
export function clientErrorHandler(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const problem = clientProblem(error);
  const requestId = randomUUID();
  this.log.debug({ err: error, requestId, code: problem.code }, 'client error');
  if (socket.writable) {
    const body = JSON.stringify(problemBody(problem, requestId, undefined));
    socket.write(
      `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? 'Error'}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `${REQUEST_ID_HEADER}: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
