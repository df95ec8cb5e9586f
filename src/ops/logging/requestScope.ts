/**
 * Runs each request's hooks and handler inside its log buffer's AsyncLocalStorage scope, so lines written by any
 * logger during the request (not only `request.log`) are held with the request's lines. The scope is entered at
 * onRequest and entered again at preValidation, because the request body is read in the socket's async context
 * and the hooks after parsing would otherwise run outside it (the pattern @fastify/request-context uses).
 *
 * Register on the root instance (the plugin skips encapsulation), after the tracing plugin so trace context and
 * log scope nest in the same order at both hooks.
 */
import type { FastifyInstance, FastifyPluginCallback, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { RequestLogs } from './requestLogs.ts';

/** Options of requestLogScopePlugin. */
export interface RequestLogScopeOptions {
  readonly logs: RequestLogs;
}

function requestLogScope(app: FastifyInstance, options: RequestLogScopeOptions, done: (error?: Error) => void): void {
  const { logs } = options;
  const enter = (request: FastifyRequest, _reply: unknown, next: HookHandlerDoneFunction): void => {
    const buffer = logs.get(request.id);
    if (buffer === undefined) next();
    else logs.run(buffer, next);
  };
  app.addHook('onRequest', enter);
  app.addHook('preValidation', enter);
  done();
}

/** Fastify plugin scoping every request's async work to its log buffer. */
export const requestLogScopePlugin: FastifyPluginCallback<RequestLogScopeOptions> = Object.assign(requestLogScope, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'galley-request-log-scope',
});
