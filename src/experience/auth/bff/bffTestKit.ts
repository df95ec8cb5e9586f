/**
 * FOR TESTS. A cookie-keeping browser that can send any header (the oauth harness's Browser sends forms only),
 * the BFF sign-in round trip through the real login form, and a server variant with BFF options (buildApp always
 * mounts the defaults).
 */
import assert from 'node:assert/strict';
import type { Backend } from '../../../../test/support/backends.ts';
import { createMetrics, type GalleyMetrics } from '../../../ops/metrics/registry.ts';
import { installProblemHandlers } from '../../http/errorHandling.ts';
import { loadKeySet } from '../keys/signingKeys.ts';
import { type OauthHarness, startOauthServer } from '../oidc/oauthHarness.ts';
import { deriveKey, unseal } from '../secrets.ts';
import { GALLEY_API_AUDIENCE, issuerOf } from '../tokenContract.ts';
import { authenticatePlugin } from '../verify/authenticate.ts';
import { createTokenVerifier } from '../verify/tokenVerifier.ts';
import { type BffOptions, createBffRoutes } from './routes.ts';
import { type BffSession, CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE } from './sessionCookie.ts';

interface StoredCookie {
  name: string;
  value: string;
  path: string;
  attributes: string;
}

/** Request options of the test browser. */
export interface BrowserRequest {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly form?: Record<string, string>;
}

/** Keeps cookies by name and path; never follows redirects by itself. */
export class TestBrowser {
  readonly #cookies = new Map<string, StoredCookie>();

  /** The value of a cookie named `name` (any path). */
  cookie(name: string): string | undefined {
    return [...this.#cookies.values()].find((c) => c.name === name)?.value;
  }

  /** The Set-Cookie attributes last seen for `name`. */
  attributes(name: string): string | undefined {
    return [...this.#cookies.values()].find((c) => c.name === name)?.attributes;
  }

  /** Overwrites (or plants) a cookie, as a tampering client would. */
  setCookie(name: string, value: string, path: string): void {
    this.#cookies.set(`${name}|${path}`, { name, value, path, attributes: '' });
  }

  /** Sends a request with the cookies matching its path. */
  async request(url: string, init: BrowserRequest = {}): Promise<Response> {
    const target = new URL(url);
    const cookie = [...this.#cookies.values()]
      .filter((c) => target.pathname === c.path || target.pathname.startsWith(c.path === '/' ? '/' : `${c.path}/`))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
    const headers: Record<string, string> = { ...(cookie === '' ? {} : { cookie }), ...init.headers };
    let body = init.body;
    if (init.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(target, { method: init.method ?? 'GET', headers, body, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) this.#store(line);
    return response;
  }

  /** The headers a same-origin script of the editor adds to state-changing requests. */
  csrfHeaders(origin: string): Record<string, string> {
    return { origin, [CSRF_HEADER]: this.cookie(CSRF_COOKIE) ?? '' };
  }

  #store(line: string): void {
    const [pair = '', ...rest] = line.split(';').map((p) => p.trim());
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const value = decodeURIComponent(pair.slice(eq + 1));
    let path = '/';
    let expired = value === '';
    for (const attribute of rest) {
      const [key = '', val = ''] = attribute.split('=');
      if (key.toLowerCase() === 'path') path = val;
      if (key.toLowerCase() === 'expires' && Date.parse(val) <= Date.now()) expired = true;
      if (key.toLowerCase() === 'max-age' && Number(val) <= 0) expired = true;
    }
    const key = `${name}|${path}`;
    if (expired) this.#cookies.delete(key);
    else this.#cookies.set(key, { name, value, path, attributes: rest.join('; ') });
  }
}

/** Follows same-origin redirects through `/oauth` and `/bff`; returns the first other response and its URL. */
export async function followAuth(
  browser: TestBrowser,
  base: string,
  url: string,
): Promise<{ response: Response; url: string }> {
  let current = url;
  for (let hops = 0; hops < 20; hops++) {
    const response = await browser.request(current);
    if (response.status < 300 || response.status >= 400) return { response, url: current };
    const next = new URL(response.headers.get('location') ?? '', current);
    if (next.origin !== base || !/^\/(oauth|bff)(\/|$)/.test(next.pathname)) return { response, url: next.href };
    current = next.href;
  }
  throw new Error('too many redirects');
}

/** Signs in through `/bff/login` and the login form; resolves with where the BFF finally sent the browser. */
export async function bffSignIn(
  h: Pick<OauthHarness, 'base'>,
  browser: TestBrowser,
  user: { email: string; password: string },
  query = '',
): Promise<string> {
  const page = await followAuth(browser, h.base, `${h.base}/bff/login${query}`);
  assert.equal(page.response.status, 200, 'the login page');
  assert.match(await page.response.text(), /name="password"/);
  const posted = await browser.request(`${page.url}/login`, {
    method: 'POST',
    form: { email: user.email, password: user.password, tenant: '' },
  });
  assert.equal(posted.status, 303, `login form answered ${posted.status}`);
  const landed = await followAuth(browser, h.base, new URL(posted.headers.get('location') ?? '', h.base).href);
  await landed.response.text();
  return landed.url;
}

/** Reads the session a browser holds, with the server's secret (what only the BFF can do). */
export function unsealSession(browser: TestBrowser, secret: string): BffSession {
  const sealed = `${browser.cookie(SESSION_COOKIE) ?? ''}${browser.cookie(`${SESSION_COOKIE}_1`) ?? ''}`;
  return JSON.parse(unseal(deriveKey(secret, 'session-cookie'), sealed)) as BffSession;
}

/**
 * A server with the oauth routes, bearer authentication, problem+json and the BFF built with `options`; the
 * returned metrics are the ones the authorization server records refreshes in.
 */
export async function startBffServer(
  backend: Backend,
  options: BffOptions,
): Promise<{ h: OauthHarness; metrics: GalleyMetrics }> {
  const metrics = createMetrics({ collectDefault: false });
  const h = await startOauthServer(backend, { metrics }, async (app, config, plane) => {
    installProblemHandlers(app);
    const secret = config.secret ?? '';
    const verifier = createTokenVerifier({
      issuer: issuerOf(config),
      audience: GALLEY_API_AUDIENCE(config),
      keys: async () => (await loadKeySet(plane.store, secret)).jwks,
      kv: plane.kv,
    });
    app.addHook('onClose', async () => {
      await verifier.close();
      metrics.close();
    });
    await app.register(authenticatePlugin, { verifier });
    await app.register(createBffRoutes(options), { config, plane, metrics, secret });
  });
  return { h, metrics };
}
