/**
 * The web editor's session lives in the browser, not in a table: the token set is sealed (AES-256-GCM with
 * deriveKey(secret, 'session-cookie'), so it is both secret and tamper-evident) into an HttpOnly, SameSite=Lax
 * cookie scoped to `/bff`, Secure when the public URL is https. A sealed value over the per-cookie budget is
 * split across `galley_session` and `galley_session_1`.
 *
 * Beside it:
 * - `galley_csrf` (readable by the editor's script, path `/`) carries the double-submit token, an HMAC of the
 *   session id — a token minted for one session is worthless with another;
 * - `galley_login` (path `/bff/callback`, 10 minutes) carries the pending login's state, nonce, PKCE verifier
 *   and return path, sealed with its own key.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GalleyError } from '../../errors/errors.ts';
import { TTL } from '../oidc/providerConfig.ts';
import { deriveKey, seal, unseal } from '../secrets.ts';

/** Path prefix of every BFF route (and of the session cookie). */
export const BFF_PATH = '/bff';
/** Session cookie name; a second part, when needed, is `${SESSION_COOKIE}_1`. */
export const SESSION_COOKIE = 'galley_session';
/** Double-submit CSRF cookie (not HttpOnly: the editor copies it into CSRF_HEADER). */
export const CSRF_COOKIE = 'galley_csrf';
/** Header that must echo CSRF_COOKIE on state-changing BFF requests. */
export const CSRF_HEADER = 'x-csrf-token';
/** Pending-login cookie. */
export const LOGIN_COOKIE = 'galley_login';

/** Longest value put in one cookie: browsers keep at least 4096 bytes per cookie, name and attributes included. */
const MAX_COOKIE_VALUE = 3800;
/** Cookies a session may span. */
const SESSION_PARTS = 2;
/** How long a started login may take, seconds (the provider's interaction lifetime). */
const LOGIN_TTL_S = TTL.interaction;

/** What the session cookie holds. */
export interface BffSession {
  /** Random id of this browser session, kept across refreshes: keys single-flight refresh and the CSRF token. */
  readonly id: string;
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Access-token expiry, epoch seconds. */
  readonly expiresAt: number;
}

/** What the pending-login cookie holds. */
export interface PendingLogin {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  /** Same-origin path to land on after the callback. */
  readonly returnTo: string;
}

/** A request's session cookie: absent, present but unusable (tampered, foreign key, garbled), or valid. */
export type SessionRead =
  | { readonly kind: 'none' }
  | { readonly kind: 'invalid' }
  | { readonly kind: 'ok'; readonly session: BffSession };

/** Reads and writes the BFF's cookies for one secret and public URL. */
export interface BffCookies {
  readSession(request: FastifyRequest): SessionRead;
  /** Sets the session cookie(s) and the matching CSRF cookie. */
  writeSession(reply: FastifyReply, session: BffSession): void;
  /** Expires the session and CSRF cookies. */
  clearSession(reply: FastifyReply): void;
  /** The CSRF token bound to a session id. */
  csrfTokenFor(sessionId: string): string;
  /** True when the request's CSRF header and cookie both carry the session's token. */
  csrfMatches(request: FastifyRequest, session: BffSession): boolean;
  readLogin(request: FastifyRequest): PendingLogin | undefined;
  writeLogin(reply: FastifyReply, login: PendingLogin): void;
  clearLogin(reply: FastifyReply): void;
}

function isString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function parseSession(json: string): BffSession | undefined {
  const v = JSON.parse(json) as Partial<Record<keyof BffSession, unknown>>;
  if (!isString(v.id) || !isString(v.accessToken) || !isString(v.refreshToken)) return undefined;
  if (typeof v.expiresAt !== 'number' || !Number.isFinite(v.expiresAt)) return undefined;
  return { id: v.id, accessToken: v.accessToken, refreshToken: v.refreshToken, expiresAt: v.expiresAt };
}

function parseLogin(json: string): PendingLogin | undefined {
  const v = JSON.parse(json) as Partial<Record<keyof PendingLogin, unknown>>;
  if (!isString(v.state) || !isString(v.nonce) || !isString(v.codeVerifier) || !isString(v.returnTo)) {
    return undefined;
  }
  return { state: v.state, nonce: v.nonce, codeVerifier: v.codeVerifier, returnTo: v.returnTo };
}

/** Unseals and parses, or undefined for any failure (a tampered or foreign value is just not a session). */
function open<T>(key: Buffer, sealed: string, parse: (json: string) => T | undefined): T | undefined {
  try {
    return parse(unseal(key, sealed));
  } catch {
    return undefined;
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Builds the cookie codec; `secure` when the public URL is https. */
export function createBffCookies(secret: string, publicUrl: string): BffCookies {
  const sessionKey = deriveKey(secret, 'session-cookie');
  const loginKey = deriveKey(secret, 'bff-login-cookie');
  const csrfKey = deriveKey(secret, 'bff-csrf');
  const secure = new URL(publicUrl).protocol === 'https:';
  const base: CookieSerializeOptions = { secure, sameSite: 'lax' };
  const sessionOptions: CookieSerializeOptions = {
    ...base,
    httpOnly: true,
    path: BFF_PATH,
    maxAge: TTL.refreshToken,
  };
  const csrfOptions: CookieSerializeOptions = { ...base, httpOnly: false, path: '/', maxAge: TTL.refreshToken };
  const loginOptions: CookieSerializeOptions = {
    ...base,
    httpOnly: true,
    path: `${BFF_PATH}/callback`,
    maxAge: LOGIN_TTL_S,
  };
  const partName = (i: number) => (i === 0 ? SESSION_COOKIE : `${SESSION_COOKIE}_${i}`);
  const csrfTokenFor = (sessionId: string) => createHmac('sha256', csrfKey).update(sessionId).digest('base64url');

  return {
    readSession(request) {
      const first = request.cookies[partName(0)];
      if (first === undefined || first === '') return { kind: 'none' };
      let sealed = first;
      for (let i = 1; i < SESSION_PARTS; i++) sealed += request.cookies[partName(i)] ?? '';
      const session = open(sessionKey, sealed, parseSession);
      return session === undefined ? { kind: 'invalid' } : { kind: 'ok', session };
    },
    writeSession(reply, session) {
      const sealed = seal(sessionKey, JSON.stringify(session));
      const parts = Math.ceil(sealed.length / MAX_COOKIE_VALUE);
      if (parts > SESSION_PARTS) {
        throw new GalleyError('GALLEY_INTERNAL', `session of ${sealed.length} bytes exceeds ${SESSION_PARTS} cookies`);
      }
      for (let i = 0; i < SESSION_PARTS; i++) {
        const chunk = sealed.slice(i * MAX_COOKIE_VALUE, (i + 1) * MAX_COOKIE_VALUE);
        if (chunk !== '') reply.setCookie(partName(i), chunk, sessionOptions);
        else if (reply.request.cookies[partName(i)] !== undefined) reply.clearCookie(partName(i), sessionOptions);
      }
      reply.setCookie(CSRF_COOKIE, csrfTokenFor(session.id), csrfOptions);
    },
    clearSession(reply) {
      for (let i = 0; i < SESSION_PARTS; i++) reply.clearCookie(partName(i), sessionOptions);
      reply.clearCookie(CSRF_COOKIE, csrfOptions);
    },
    csrfTokenFor,
    csrfMatches(request, session) {
      const header = request.headers[CSRF_HEADER];
      const cookie = request.cookies[CSRF_COOKIE];
      if (typeof header !== 'string' || cookie === undefined) return false;
      const expected = csrfTokenFor(session.id);
      // Both must match: the cookie proves this browser got the token, the header that our own script sent it.
      return sameText(header, expected) && sameText(cookie, expected);
    },
    readLogin(request) {
      const sealed = request.cookies[LOGIN_COOKIE];
      return sealed === undefined || sealed === '' ? undefined : open(loginKey, sealed, parseLogin);
    },
    writeLogin(reply, login) {
      reply.setCookie(LOGIN_COOKIE, seal(loginKey, JSON.stringify(login)), loginOptions);
    },
    clearLogin(reply) {
      reply.clearCookie(LOGIN_COOKIE, loginOptions);
    },
  };
}
