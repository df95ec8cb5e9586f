/**
 * CSRF defence of the BFF's state-changing requests (every method but GET, HEAD and OPTIONS), in two layers:
 * - Origin check: the request's `Origin` (or, when a browser sent none, the `Referer`'s origin) must be the
 *   public origin; a request naming neither is refused, since every browser names one on such requests.
 * - Double submit bound to the session: the `X-CSRF-Token` header and the `galley_csrf` cookie must both equal
 *   the HMAC of the session id (sessionCookie.ts), which only a script running on the origin can read and echo.
 * SameSite=Lax on the session cookie is a third, browser-side layer.
 */
import type { FastifyRequest } from 'fastify';
import { GalleyError } from '../../errors/errors.ts';
import type { BffCookies, SessionRead } from './sessionCookie.ts';

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The origin a request says it comes from, or undefined when it names none. */
function requestOrigin(request: FastifyRequest): string | undefined {
  const origin = request.headers.origin;
  // An opaque origin arrives as "null" and matches nothing, as it should.
  if (typeof origin === 'string' && origin !== '') return origin;
  const referer = request.headers.referer;
  if (typeof referer !== 'string' || referer === '') return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return 'null';
  }
}

/**
 * Throws GALLEY_CSRF_REJECTED unless a state-changing request comes from `publicOrigin` and, when it carries a
 * session, echoes the session's CSRF token. Requests without a session pass the token check: they have nothing
 * to forge, and the route answers them 401 (or, for logout, simply clears cookies).
 */
export function assertNotForged(
  request: FastifyRequest,
  publicOrigin: string,
  cookies: BffCookies,
  session: SessionRead,
): void {
  if (SAFE_METHODS.has(request.method)) return;
  if (requestOrigin(request) !== publicOrigin) {
    throw new GalleyError('GALLEY_CSRF_REJECTED', 'the request does not come from this site');
  }
  if (session.kind === 'ok' && !cookies.csrfMatches(request, session.session)) {
    throw new GalleyError('GALLEY_CSRF_REJECTED', 'missing or wrong X-CSRF-Token header');
  }
}
