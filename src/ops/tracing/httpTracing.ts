/**
 * HTTP server spans: one SERVER span per request, named `<method> <route template>` (just the method when no route
 * matched), continuing the caller's trace from its `traceparent` header. The request's hooks and handler run in
 * the span's context, so store, kv, cache, search and queue spans nest under it and log lines carry its ids. The
 * context is entered at onRequest and again at preValidation, because the body is read in the socket's async
 * context (the same reason requestScope.ts re-enters the log buffer; register this plugin before that one).
 *
 * Recorded: method, route template, status code, request id. Not recorded: the URL (ids, query strings),
 * headers, bodies — nothing a route template does not already say.
 */
import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
} from '@opentelemetry/semantic-conventions';
import type {
  FastifyInstance,
  FastifyPluginCallback,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
} from 'fastify';
import { activeTracer, recordFailure } from './spans.ts';

interface RequestTrace {
  readonly span: Span;
  readonly context: Context;
  /** The error a hook or handler raised, if any; it marks the span failed only when the answer is a 5xx. */
  error?: Error;
}

const traces = new WeakMap<FastifyRequest, RequestTrace>();

/**
 * The span context of a request's server span (valid also when the request was not sampled: its trace id still
 * keys the log sample); undefined when tracing is off. For the log controller's `spanContextOf`.
 */
export function requestSpanContext(request: FastifyRequest): SpanContext | undefined {
  return traces.get(request)?.span.spanContext();
}

function start(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const tracer = activeTracer();
  if (tracer === undefined) {
    done();
    return;
  }
  const parent = propagation.extract(ROOT_CONTEXT, request.headers);
  const route = request.is404 ? undefined : request.routeOptions.url;
  const span = tracer.startSpan(
    route === undefined ? request.method : `${request.method} ${route}`,
    {
      kind: SpanKind.SERVER,
      attributes: {
        [ATTR_HTTP_REQUEST_METHOD]: request.method,
        ...(route === undefined ? {} : { [ATTR_HTTP_ROUTE]: route }),
        'galley.request.id': request.id,
      },
    },
    parent,
  );
  const ctx = trace.setSpan(parent, span);
  traces.set(request, { span, context: ctx });
  context.with(ctx, done);
}

function reenter(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const entry = traces.get(request);
  if (entry === undefined) done();
  else context.with(entry.context, done);
}

function finish(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const entry = traces.get(request);
  if (entry?.span.isRecording()) {
    const status = reply.statusCode;
    entry.span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    // 4xx answers are the client's mistake: the server span fails only on a 5xx (HTTP semantic conventions).
    if (status >= 500 && entry.error !== undefined) recordFailure(entry.span, entry.error);
    else if (status >= 500) {
      entry.span.setStatus({ code: SpanStatusCode.ERROR });
      entry.span.setAttribute('error.type', String(status));
    }
    entry.span.end();
  }
  done();
}

function failed(request: FastifyRequest, _reply: FastifyReply, error: Error, done: HookHandlerDoneFunction): void {
  const entry = traces.get(request);
  if (entry !== undefined) entry.error = error;
  done();
}

function aborted(request: FastifyRequest, done: HookHandlerDoneFunction): void {
  const entry = traces.get(request);
  if (entry?.span.isRecording()) {
    entry.span.setAttribute('error.type', 'aborted');
    entry.span.setStatus({ code: SpanStatusCode.ERROR, message: 'client went away' });
    entry.span.end();
  }
  done();
}

function httpTracing(app: FastifyInstance, _options: unknown, done: (error?: Error) => void): void {
  app.addHook('onRequest', start);
  app.addHook('preValidation', reenter);
  app.addHook('onError', failed);
  app.addHook('onResponse', finish);
  app.addHook('onRequestAbort', aborted);
  done();
}

/** Fastify plugin opening a server span per request (register on the root instance, before requestLogScopePlugin). */
export const httpTracingPlugin: FastifyPluginCallback = Object.assign(httpTracing, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'galley-http-tracing',
});
