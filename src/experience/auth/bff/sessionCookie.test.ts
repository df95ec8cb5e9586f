/** The session cookie codec: splitting over two cookies, key separation, CSRF binding (no backend involved). */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { type BffSession, CSRF_COOKIE, createBffCookies, LOGIN_COOKIE, SESSION_COOKIE } from './sessionCookie.ts';

const SECRET = randomBytes(32).toString('base64url');

async function codecApp(session: BffSession): Promise<FastifyInstance> {
  const cookies = createBffCookies(SECRET, 'https://galley.example');
  const app = Fastify();
  await app.register(fastifyCookie);
  app.get('/bff/write', async (_request, reply) => {
    cookies.writeSession(reply, session);
    cookies.writeLogin(reply, { state: 's', nonce: 'n', codeVerifier: 'v', returnTo: '/' });
    return {};
  });
  app.get('/bff/read', async (request) => {
    const read = cookies.readSession(request);
    return { kind: read.kind, session: read.kind === 'ok' ? read.session : null };
  });
  return app;
}

/** `name=value` pairs of a response's Set-Cookie lines. */
function cookiePairs(setCookie: string | string[] | undefined): Map<string, { value: string; line: string }> {
  const lines = setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie];
  return new Map(
    lines.map((line) => {
      const pair = line.split(';')[0] ?? '';
      const eq = pair.indexOf('=');
      return [pair.slice(0, eq), { value: pair.slice(eq + 1), line }];
    }),
  );
}

test('a session too big for one cookie spans two, each under 4 KB, and reads back whole', async () => {
  const session: BffSession = {
    id: 'session-1',
    accessToken: randomBytes(2400).toString('base64url'),
    refreshToken: 'refresh',
    expiresAt: 1_900_000_000,
  };
  const app = await codecApp(session);
  const written = await app.inject({ method: 'GET', url: '/bff/write' });
  const pairs = cookiePairs(written.headers['set-cookie']);
  const first = pairs.get(SESSION_COOKIE);
  const second = pairs.get(`${SESSION_COOKIE}_1`);
  assert.ok(first && second, 'two session cookies');
  for (const part of [first, second]) {
    assert.ok(part.line.length < 4096, `cookie of ${part.line.length} bytes`);
    assert.match(part.line, /HttpOnly/);
    assert.match(part.line, /Secure/, 'https public URL: Secure');
    assert.match(part.line, /SameSite=Lax/);
  }
  const csrf = pairs.get(CSRF_COOKIE);
  assert.ok(csrf && !/HttpOnly/.test(csrf.line));
  const cookie = `${SESSION_COOKIE}=${first.value}; ${SESSION_COOKIE}_1=${second.value}`;
  const read = await app.inject({ method: 'GET', url: '/bff/read', headers: { cookie } });
  assert.deepEqual(read.json(), { kind: 'ok', session });

  const firstOnly = await app.inject({
    method: 'GET',
    url: '/bff/read',
    headers: { cookie: `${SESSION_COOKIE}=${first.value}` },
  });
  assert.equal(firstOnly.json().kind, 'invalid', 'half a session is no session');
  const login = pairs.get(LOGIN_COOKIE);
  assert.ok(login);
  const swapped = await app.inject({
    method: 'GET',
    url: '/bff/read',
    headers: { cookie: `${SESSION_COOKIE}=${login.value}` },
  });
  assert.equal(swapped.json().kind, 'invalid', 'the login cookie is sealed with another key');
  await app.close();
});

test('CSRF tokens are bound to the session id', () => {
  const cookies = createBffCookies(SECRET, 'http://localhost:8080');
  assert.equal(cookies.csrfTokenFor('a'), cookies.csrfTokenFor('a'));
  assert.notEqual(cookies.csrfTokenFor('a'), cookies.csrfTokenFor('b'));
  assert.notEqual(
    createBffCookies('x'.repeat(32), 'http://localhost:8080').csrfTokenFor('a'),
    cookies.csrfTokenFor('a'),
  );
});
