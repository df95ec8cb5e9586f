/**
 * FOR TESTS. A real Galley HTTP server on 127.0.0.1 (buildApp over a real data plane of the backend) plus a
 * cookie-keeping "browser" and the protocol steps the suites share (PKCE, the login form, the code exchange).
 * Everything goes over real HTTP with fetch.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import {
  type Backend,
  openTestStore,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  uniqueName,
} from '../../../../test/support/backends.ts';
import { testPlane } from '../../../../test/support/plane.ts';
import { buildApp } from '../../../app.ts';
import { type Config, loadConfig } from '../../../config/config.ts';
import type { DataPlane } from '../../../data/dataPlane.ts';
import type { Store } from '../../../data/store/port.ts';
import { openPostgresStore } from '../../../data/store/postgres/postgresStore.ts';
import { createMetrics } from '../../../ops/metrics/registry.ts';
import { createOauthRoutes, type OauthRoutesExtras } from './oauthRoutes.ts';
import { galleyWebClientSecret, WEB_CLIENT_ID, webRedirectUri } from './staticClients.ts';

/** A running server and what the tests need around it. */
export interface OauthHarness {
  readonly base: string;
  readonly config: Config;
  readonly plane: DataPlane;
  readonly app: FastifyInstance;
  readonly secret: string;
  /** Distributed only: the PostgreSQL schema and Redis prefix, for a peer process on the same data. */
  readonly shared?: { readonly schema: string; readonly prefix: string };
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function openPlane(backend: Backend, prefix: string) {
  const t = await openTestStore(backend);
  return { ...wrapPlane(backend, t.store, prefix), cleanup: t.cleanup, schema: t.schema };
}

function wrapPlane(backend: Backend, store: Store, prefix: string): { plane: DataPlane } {
  return { plane: testPlane(backend, store, prefix) };
}

/**
 * Starts buildApp on a free loopback port with a fresh data plane of the backend. With `extras`, the server is a
 * bare Fastify with only the oauth plugin built with those extras (metrics, grace window).
 */
export async function startOauthServer(
  backend: Backend,
  extras?: OauthRoutesExtras,
  /** Runs after the app is built and before it listens (register more routes). */
  beforeListen?: (app: FastifyInstance, config: Config, plane: DataPlane) => Promise<void>,
): Promise<OauthHarness> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'galley-oauth-'));
  const secret = randomBytes(32).toString('base64url');
  // GALLEY_REFRESH_GRACE_S passes through so a test can shorten the grace window it waits out.
  const config = loadConfig(
    { GALLEY_REFRESH_GRACE_S: process.env.GALLEY_REFRESH_GRACE_S },
    {
      logLevel: 'silent',
      maxEventLoopDelayMs: 0,
      host: '127.0.0.1',
      port,
      publicUrl: `http://127.0.0.1:${port}`,
      dataDir,
      secret,
    },
  );
  const prefix = uniqueName('oauth');
  const { plane, cleanup, schema } = await openPlane(backend, prefix);
  let app: FastifyInstance;
  if (extras === undefined) {
    app = await buildApp(config, plane, { logger: false });
  } else {
    app = Fastify();
    const metrics = extras.metrics ?? createMetrics({ collectDefault: false });
    await app.register(createOauthRoutes(extras), { config, plane, metrics, secret });
  }
  await beforeListen?.(app, config, plane);
  await app.listen({ port, host: '127.0.0.1' });
  return {
    base: config.publicUrl,
    config,
    plane,
    app,
    secret,
    ...(schema === undefined ? {} : { shared: { schema, prefix } }),
    async close() {
      await app.close();
      await plane.close();
      await cleanup();
      rmSync(dataDir, { recursive: true, force: true });
      if (backend === 'distributed') {
        const redis = new Redis(TEST_REDIS_URL);
        try {
          const keys = await redis.keys(`${prefix}:*`);
          if (keys.length > 0) await redis.del(...keys);
        } finally {
          await redis.quit();
        }
      }
    },
  };
}

/**
 * Distributed only: a second server, as another process would run it — its own PostgreSQL pool on the same
 * schema, its own Redis connections on the same prefix, the same configuration and secret, another port.
 */
export async function startPeerServer(h: OauthHarness): Promise<OauthHarness> {
  if (h.shared === undefined) throw new Error('peer servers need the distributed backend');
  const port = await freePort();
  const store = openPostgresStore({ connectionString: TEST_DATABASE_URL, max: 5, schema: h.shared.schema });
  const { plane } = wrapPlane('distributed', store, h.shared.prefix);
  const app = await buildApp(h.config, plane, { logger: false });
  await app.listen({ port, host: '127.0.0.1' });
  return {
    base: `http://127.0.0.1:${port}`,
    config: h.config,
    plane,
    app,
    secret: h.secret,
    async close() {
      await app.close();
      await plane.close();
      await store.close();
    },
  };
}

/** A PKCE verifier and its S256 challenge. */
export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** A minimal browser: keeps cookies by name and path, follows nothing on its own. */
export class Browser {
  readonly #cookies = new Map<string, { name: string; value: string; path: string }>();

  /** Sends a request with the matching cookies; redirects are returned, not followed. */
  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const target = new URL(url);
    const cookie = [...this.#cookies.values()]
      .filter(
        (c) => target.pathname === c.path || target.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`),
      )
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
    const headers: Record<string, string> = cookie === '' ? {} : { cookie };
    let body: string | undefined;
    if (init.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(target, { method: init.method ?? 'GET', headers, body, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) this.#store(line);
    return response;
  }

  #store(line: string): void {
    const [pair = '', ...attributes] = line.split(';').map((p) => p.trim());
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    let cookiePath = '/';
    let expired = value === '';
    for (const attribute of attributes) {
      const [key = '', val = ''] = attribute.split('=');
      if (key.toLowerCase() === 'path') cookiePath = val;
      if (key.toLowerCase() === 'expires' && Date.parse(val) <= Date.now()) expired = true;
      if (key.toLowerCase() === 'max-age' && Number(val) <= 0) expired = true;
    }
    const key = `${name}|${cookiePath}`;
    if (expired) this.#cookies.delete(key);
    else this.#cookies.set(key, { name, value, path: cookiePath });
  }
}

/** The redirect target of a 3xx response, absolute. */
export function locationOf(response: Response, base: string): string {
  assert.ok(response.status >= 300 && response.status < 400, `expected a redirect, got ${response.status}`);
  const location = response.headers.get('location');
  assert.ok(location, 'redirect without location');
  return new URL(location, base).href;
}

/** Follows redirects while they stay on `base`; returns the first response that is not one of those. */
export async function follow(
  browser: Browser,
  base: string,
  url: string,
): Promise<{ response: Response; url: string }> {
  let current = url;
  for (let hops = 0; hops < 20; hops++) {
    const response = await browser.request(current);
    if (response.status < 300 || response.status >= 400) return { response, url: current };
    const next = locationOf(response, base);
    if (!next.startsWith(base) || next.startsWith(webRedirectUri({ publicUrl: base })))
      return { response, url: current };
    current = next;
  }
  throw new Error('too many redirects');
}

/** The authorize URL of the web client with PKCE (override or drop parameters with `params`). */
export function authorizeUrl(base: string, challenge: string, params: Record<string, string | undefined> = {}): string {
  const url = new URL(`${base}/oauth/auth`);
  const all: Record<string, string | undefined> = {
    client_id: WEB_CLIENT_ID,
    response_type: 'code',
    redirect_uri: webRedirectUri({ publicUrl: base }),
    scope: 'openid offline_access api',
    state: randomBytes(8).toString('hex'),
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...params,
  };
  for (const [key, value] of Object.entries(all)) if (value !== undefined) url.searchParams.set(key, value);
  return url.href;
}

/** Token endpoint response fields the tests read. */
export interface TokenSet {
  readonly access_token: string;
  readonly refresh_token?: string;
  readonly id_token?: string;
  readonly expires_in: number;
  readonly scope?: string;
}

/** Signs in through the login form and returns the authorization code (the callback URL's `code`). */
export async function signInForCode(
  h: Pick<OauthHarness, 'base'>,
  user: { email: string; password: string; tenantSlug?: string },
  challenge: string,
  browser: Browser = new Browser(),
): Promise<string> {
  const start = await follow(browser, h.base, authorizeUrl(h.base, challenge));
  assert.equal(start.response.status, 200, 'the login page');
  const html = await start.response.text();
  assert.match(html, /name="password"/);
  const posted = await browser.request(`${start.url}/login`, {
    method: 'POST',
    form: { email: user.email, password: user.password, tenant: user.tenantSlug ?? '' },
  });
  const done = await follow(browser, h.base, locationOf(posted, h.base));
  const callback = new URL(locationOf(done.response, h.base));
  assert.equal(callback.origin + callback.pathname, webRedirectUri({ publicUrl: h.base }));
  const code = callback.searchParams.get('code');
  assert.ok(code, `callback without code: ${callback.href}`);
  return code;
}

/** Calls the token endpoint as the web client (client_secret_basic). */
export async function webTokenRequest(h: Pick<OauthHarness, 'base' | 'secret'>, form: Record<string, string>) {
  const basic = Buffer.from(`${WEB_CLIENT_ID}:${galleyWebClientSecret(h.secret)}`).toString('base64');
  return fetch(`${h.base}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
}

/** The full authorization code + PKCE flow for the web client; returns the token set. */
export async function webLogin(
  h: Pick<OauthHarness, 'base' | 'secret'>,
  user: { email: string; password: string; tenantSlug?: string },
): Promise<TokenSet> {
  const { verifier, challenge } = pkce();
  const code = await signInForCode(h, user, challenge);
  const response = await webTokenRequest(h, {
    grant_type: 'authorization_code',
    code,
    code_verifier: verifier,
    redirect_uri: webRedirectUri({ publicUrl: h.base }),
  });
  const body = (await response.json()) as TokenSet;
  assert.equal(response.status, 200, JSON.stringify(body));
  return body;
}
