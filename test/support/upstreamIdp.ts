/**
 * FOR TESTS ONLY. A publisher's identity provider: a second, real oidc-provider 9 instance on 127.0.0.1 (port
 * 0) that Galley's SSO signs in against over real HTTP. It has one confidential client (client_secret_basic,
 * PKCE required, redirect URI given by the test), an in-memory account store whose accounts carry `email` and
 * `email_verified`, and an RSA signing key of its own.
 *
 * Its login and consent screens are replaced by a tiny non-interactive interaction handler: the login prompt
 * signs in the account whose email the test put in `nextLogin` (access_denied when there is none) and the
 * consent prompt grants whatever was asked. This is a protocol peer, not code under test, and Galley itself
 * never uses such shortcuts. `authorize(url)` plays the browser through the IdP (its own cookie jar, manual
 * redirects) until the IdP redirects back to the relying party.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A person at the upstream. */
export interface UpstreamAccount {
  readonly email: string;
  readonly emailVerified: boolean;
  readonly name?: string;
}

/** Options of startUpstreamIdp. */
export interface UpstreamIdpOptions {
  /** The relying party's redirect URI (Galley's `${publicUrl}/auth/sso/callback`). */
  readonly redirectUri: string;
  readonly accounts: readonly UpstreamAccount[];
  /**
   * True (default): email claims go into the ID token, as most providers do. False: the strict OIDC Core
   * default, where scope claims are only served by UserInfo.
   */
  readonly emailInIdToken?: boolean;
}

/** A running upstream IdP. */
export interface UpstreamIdp {
  /** Issuer identifier, `http://127.0.0.1:<port>`. */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Email of the account the next login prompt signs in; undefined makes it answer access_denied. */
  nextLogin: string | undefined;
  /** The upstream `sub` of an account. */
  subjectOf(email: string): string;
  /**
   * Plays a fresh browser from `authorizationUrl` through the IdP (login, consent) and returns the URL it is
   * finally redirected to outside the IdP: the relying party's callback with code, state and iss.
   */
  authorize(authorizationUrl: string): Promise<URL>;
  close(): Promise<void>;
}

// oidc-provider ships no type declarations; these describe the part used here.
interface OidcGrant {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: readonly string[]): void;
  addResourceScope(indicator: string, scope: string): void;
  save(): Promise<string>;
}
interface InteractionDetails {
  readonly grantId?: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly session?: { readonly accountId?: string };
  readonly prompt: {
    readonly name: string;
    readonly details: {
      readonly missingOIDCScope?: readonly string[];
      readonly missingOIDCClaims?: readonly string[];
      readonly missingResourceScopes?: Readonly<Record<string, readonly string[]>>;
    };
  };
}
interface OidcProvider {
  callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
  interactionFinished(
    req: IncomingMessage,
    res: ServerResponse,
    result: Readonly<Record<string, unknown>>,
    options: { mergeWithLastSubmission: boolean },
  ): Promise<void>;
  readonly Grant: {
    new (props: { accountId: string; clientId: string }): OidcGrant;
    find(id: string): Promise<OidcGrant | undefined>;
  };
}
type ProviderConstructor = new (issuer: string, configuration: Readonly<Record<string, unknown>>) => OidcProvider;

async function loadProvider(): Promise<ProviderConstructor> {
  // A non-literal specifier keeps the untyped package out of the type checker; the interfaces above type it.
  const specifier: string = 'oidc-provider';
  const mod = (await import(specifier)) as { Provider: ProviderConstructor };
  return mod.Provider;
}

function signingJwk(): Readonly<Record<string, unknown>> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };
}

type Payload = Record<string, unknown> & { uid?: string; grantId?: string; userCode?: string };

/**
 * oidc-provider's storage for this IdP only: one Map per instance with expiry, the indexes the provider looks up
 * (session uid, user code, grant members) and nothing more. Replaces the library's development adapter, which
 * is shared by every instance in the process and warns on each start.
 */
function mapAdapter(): (model: string) => object {
  const rows = new Map<string, { payload: Payload; expiresAt: number }>();
  const live = (key: string): Payload | undefined => {
    const row = rows.get(key);
    if (row === undefined) return undefined;
    if (row.expiresAt <= Date.now()) {
      rows.delete(key);
      return undefined;
    }
    return row.payload;
  };
  return (model) => ({
    async upsert(id: string, payload: Payload, expiresIn?: number) {
      const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY;
      rows.set(`${model}:${id}`, { payload, expiresAt });
    },
    async find(id: string) {
      return live(`${model}:${id}`);
    },
    async findByUid(uid: string) {
      for (const [key, row] of rows) if (key.startsWith(`${model}:`) && row.payload.uid === uid) return live(key);
      return undefined;
    },
    async findByUserCode(userCode: string) {
      for (const [key, row] of rows) {
        if (key.startsWith(`${model}:`) && row.payload.userCode === userCode) return live(key);
      }
      return undefined;
    },
    async consume(id: string) {
      const payload = live(`${model}:${id}`);
      if (payload !== undefined) payload.consumed = Math.floor(Date.now() / 1000);
    },
    async destroy(id: string) {
      rows.delete(`${model}:${id}`);
    },
    async revokeByGrantId(grantId: string) {
      for (const [key, row] of rows) if (row.payload.grantId === grantId) rows.delete(key);
    },
  });
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** Starts the IdP; close it when done. */
export async function startUpstreamIdp(options: UpstreamIdpOptions): Promise<UpstreamIdp> {
  const Provider = await loadProvider();
  const accounts = new Map(options.accounts.map((a, i) => [`acct-${i + 1}`, a]));
  const subjectOf = (email: string): string => {
    for (const [sub, a] of accounts) if (a.email === email) return sub;
    throw new Error(`no upstream account ${email}`);
  };
  const clientId = `galley-${randomBytes(4).toString('hex')}`;
  const clientSecret = randomBytes(24).toString('base64url');

  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
  const server = createServer((req, res) => handler(req, res));
  const port = await listen(server);
  const issuer = `http://127.0.0.1:${port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    adapter: mapAdapter(),
    pkce: { required: () => true },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    conformIdTokenClaims: options.emailInIdToken === false,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    jwks: { keys: [signingJwk()] },
    async findAccount(_ctx: unknown, sub: string) {
      const account = accounts.get(sub);
      if (account === undefined) return undefined;
      return {
        accountId: sub,
        async claims() {
          return {
            sub,
            email: account.email,
            email_verified: account.emailVerified,
            name: account.name ?? account.email,
          };
        },
      };
    },
  });

  const idp: UpstreamIdp = {
    issuer,
    clientId,
    clientSecret,
    nextLogin: undefined,
    subjectOf,
    authorize: (url) => playBrowser(issuer, url),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  async function interact(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      const email = idp.nextLogin;
      const result =
        email === undefined
          ? { error: 'access_denied', error_description: 'no test login queued' }
          : { login: { accountId: subjectOf(email) } };
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
      return;
    }
    const accountId = details.session?.accountId;
    const clientOf = details.params.client_id;
    if (details.prompt.name !== 'consent' || accountId === undefined || typeof clientOf !== 'string') {
      res.writeHead(400).end(`unexpected prompt ${details.prompt.name}`);
      return;
    }
    const existing = details.grantId === undefined ? undefined : await provider.Grant.find(details.grantId);
    const grant = existing ?? new provider.Grant({ accountId, clientId: clientOf });
    const missing = details.prompt.details;
    if (missing.missingOIDCScope !== undefined) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims !== undefined) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  const protocol = provider.callback();
  handler = (req, res) => {
    if (req.url?.startsWith('/interaction/') === true) {
      interact(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(String(error));
      });
      return;
    }
    void protocol(req, res);
  };
  return idp;
}

/** Follows the IdP's redirects like a browser (cookies kept by name) until one leaves the IdP's origin. */
async function playBrowser(issuer: string, authorizationUrl: string): Promise<URL> {
  const origin = new URL(issuer).origin;
  const jar = new Map<string, string>();
  let next = new URL(authorizationUrl);
  for (let hop = 0; hop < 12; hop += 1) {
    if (next.origin !== origin) return next;
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(next, { redirect: 'manual', headers: cookie === '' ? {} : { cookie } });
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*expires=/i.test(a) && Date.parse(a.split('=')[1] ?? '') < Date.now());
      if (value === '' || expired) jar.delete(name);
      else jar.set(name, value);
    }
    const body = await res.text();
    const location = res.headers.get('location');
    if (location === null) throw new Error(`upstream IdP answered ${res.status} without a redirect: ${body}`);
    next = new URL(location, next);
  }
  throw new Error('upstream IdP redirected too many times');
}
