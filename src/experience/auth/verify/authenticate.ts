/**
 * Bearer authentication for API routes. `authenticatePlugin` (registered once, on the root instance) gives every
 * request a `principal` (null until authenticated) and every instance the verifier; routes opt in with the
 * `requireAuth` hook and check the tenant with `requireTenantAccess` before anything else, as policies do.
 *
 * A refused token answers 401 problem+json (GALLEY_UNAUTHENTICATED) with the RFC 6750 challenge
 * `WWW-Authenticate: Bearer realm="galley"` — plus `error="invalid_token"` and a description when a token was
 * sent but refused.
 */
import type { FastifyInstance, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { GalleyError } from '../../errors/errors.ts';
import type { Principal } from '../principal.ts';
import { TokenRejectedError, UNAUTHENTICATED_DETAIL } from './claims.ts';
import type { TokenVerifier } from './tokenVerifier.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller; null unless the route ran `requireAuth` (or another authenticator) first. */
    principal: Principal | null;
  }
  interface FastifyInstance {
    /** The process's access-token verifier (authenticatePlugin). */
    tokenVerifier: TokenVerifier;
  }
}

/** Options of authenticatePlugin. */
export interface AuthenticateOptions {
  /** The process's verifier; the plugin does not close it (its owner does, after the app). */
  readonly verifier: TokenVerifier;
}

/** The `realm` of Galley's bearer challenges. */
const REALM = 'galley';

/** `Authorization: Bearer <token>`; the scheme is case-insensitive (RFC 7235), the token is RFC 6750 b64token. */
const BEARER = /^Bearer +([\w\-.~+/]+=*) *$/i;

/** The bearer token of a request, or undefined when it carries none (or another scheme). */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  return BEARER.exec(header)?.[1];
}

function challenge(reply: FastifyReply, error: unknown): void {
  if (error instanceof TokenRejectedError && error.reason !== 'missing') {
    reply.header(
      'www-authenticate',
      `Bearer realm="${REALM}", error="invalid_token", error_description="${UNAUTHENTICATED_DETAIL[error.reason]}"`,
    );
  } else if (error instanceof TokenRejectedError) {
    reply.header('www-authenticate', `Bearer realm="${REALM}"`);
  }
}

/**
 * Hook (onRequest or preHandler) that authenticates the request's bearer token and sets `request.principal`;
 * refuses with 401 otherwise. Use per route (`{ onRequest: requireAuth }`) or per plugin
 * (`app.addHook('onRequest', requireAuth)`). Needs authenticatePlugin registered on an ancestor instance.
 */
export async function requireAuth(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (!request.server.hasDecorator('tokenVerifier')) {
    throw new GalleyError('GALLEY_INTERNAL', 'requireAuth used without authenticatePlugin');
  }
  try {
    const token = bearerToken(request);
    if (token === undefined) {
      // A header with another scheme or a mangled value is a bad token, not a missing one.
      throw new TokenRejectedError(request.headers.authorization === undefined ? 'missing' : 'malformed');
    }
    request.principal = await request.server.tokenVerifier.verify(token);
  } catch (error) {
    challenge(reply, error);
    throw error;
  }
}

/**
 * The request's principal, provided it belongs to `tenantId` (the tenant named by the route, e.g. its
 * `:tenantId` parameter). A principal of another tenant gets 404 GALLEY_NOT_FOUND — the same answer as for a
 * tenant that does not exist, so tenants cannot be probed. Call it first in a handler, before any other check
 * or query. Throws 401 when the request was not authenticated (the route forgot `requireAuth`).
 */
export function requireTenantAccess(request: FastifyRequest, tenantId: string): Principal {
  const principal = request.principal;
  if (principal === null) throw new TokenRejectedError('missing');
  if (principal.tenantId !== tenantId) throw new GalleyError('GALLEY_NOT_FOUND', 'tenant not found');
  return principal;
}

function authenticate(app: FastifyInstance, options: AuthenticateOptions, done: (error?: Error) => void): void {
  app.decorate('tokenVerifier', options.verifier);
  app.decorateRequest('principal', null);
  done();
}

/**
 * Fastify plugin: decorates the instance with the verifier and every request with `principal` (null). It skips
 * encapsulation so the decorations reach every route plugin; register it on the root instance, before them.
 */
export const authenticatePlugin: FastifyPluginCallback<AuthenticateOptions> = Object.assign(authenticate, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'galley-authenticate',
});
