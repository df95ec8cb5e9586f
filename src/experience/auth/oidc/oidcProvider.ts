/**
 * The authorization server of one process: an oidc-provider instance configured by providerConfig.ts over the
 * store adapter, plus what keeps it current and wired to the rest of Galley:
 * - signing keys come from the store (`ensureSigningKey` at start); a rotation (`galley keys rotate`, announced
 *   on kv channel `auth:keys`, and checked every `keyCheckMs` for processes that missed the message) rebuilds the
 *   provider with the new key set — retired keys stay in the JWKS;
 * - revocations feed the deny-list: a destroyed grant (refresh reuse, revocation, logout) denies `gid`, a revoked
 *   token its `jti`, a logout its session (`sid` = the provider session's uid);
 * - refreshes go through the grace-window single-flight; device-code attempts are rate limited per IP;
 * - expired rows are swept every `sweepMs`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type MiddlewareContext, Provider } from 'oidc-provider';
import instance from 'oidc-provider/lib/helpers/weak_cache.js';
import type { Config } from '../../../config/config.ts';
import { SETTINGS } from '../../../config/settings.ts';
import type { Kv } from '../../../data/kv/port.ts';
import type { Store } from '../../../data/store/port.ts';
import type { GalleyMetrics } from '../../../ops/metrics/registry.ts';
import { ensureSigningKey, type KeySet, loadKeySet } from '../keys/signingKeys.ts';
import { deriveKey, loadSecret } from '../secrets.ts';
import { issuerOf, KEYS_CHANNEL } from '../tokenContract.ts';
import { deny } from './denyList.ts';
import { limitDeviceCodeAttempts } from './deviceRateLimit.ts';
import { recordGrantLogins } from './grantMetrics.ts';
import { providerConfiguration } from './providerConfig.ts';
import { refreshSingleFlight } from './refreshSingleFlight.ts';
import { type AdapterFactory, createStoreAdapterFactory, sweepExpired } from './storeAdapter.ts';
import { createTenantBindings, defaultClientCredentialsScope, type TenantBindings } from './tokenClaims.ts';

/** Options of createOidcProvider. */
export interface OidcProviderOptions {
  readonly config: Config;
  readonly store: Store;
  readonly kv: Kv;
  readonly metrics?: GalleyMetrics;
  /** Grace window for concurrent refreshes, seconds; default GALLEY_REFRESH_GRACE_S (10). */
  readonly refreshGraceSeconds?: number;
  /** How often to look for a rotated key set a kv message did not announce (default 60 s; 0 = never). */
  readonly keyCheckMs?: number;
  /** How often to delete expired rows (default 10 min; 0 = never). */
  readonly sweepMs?: number;
  /** The client address of a raw request (Fastify's `request.ip`), for per-IP limits. */
  readonly clientIp?: (req: IncomingMessage) => string | undefined;
}

/** A running authorization server. */
export interface GalleyOidc {
  /** `${publicUrl}/oauth`. */
  readonly issuer: string;
  /** The provider currently serving (replaced when the key set changes). */
  provider(): Provider;
  /**
   * Serves a raw request whose URL is relative to the issuer path (`/token`, `/.well-known/…`), with
   * X-Forwarded-Host/Proto naming the public origin (oauthRoutes' `forward` prepares requests so).
   */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** The published JWKS (current and still-kept retired keys). */
  publicJwks(): KeySet['jwks'];
  /** Reloads the key set from the store and rebuilds the provider when it changed; true when it did. */
  reloadKeys(): Promise<boolean>;
  readonly store: Store;
  readonly kv: Kv;
  /** The storage adapters, one per model name. */
  readonly adapters: AdapterFactory;
  readonly bindings: TenantBindings;
  /** Stops timers and the key subscription. */
  close(): Promise<void>;
}

function fingerprint(keys: KeySet): string {
  return keys.jwks.keys.map((k) => k.kid).join(',');
}

/** Builds the authorization server for this process. */
export async function createOidcProvider(options: OidcProviderOptions): Promise<GalleyOidc> {
  const { config, store, kv } = options;
  const secret = loadSecret(config);
  await ensureSigningKey(store, secret);
  const graceSeconds =
    options.refreshGraceSeconds ?? SETTINGS.refreshGraceSeconds.parse(process.env[SETTINGS.refreshGraceSeconds.env]);
  const issuer = issuerOf(config);

  let bindings: TenantBindings | undefined;
  const adapter = createStoreAdapterFactory({
    store,
    clientSecretKey: deriveKey(secret, 'oidc-client-secrets'),
    async onDestroyed(model, id) {
      if (model === 'Grant') {
        await deny(kv, 'grant', id);
        await bindings?.unbind(id);
      }
    },
  });
  bindings = createTenantBindings(adapter);
  const tenantBindings = bindings;

  const build = (keys: KeySet): { provider: Provider; callback: ReturnType<Provider['callback']> } => {
    const provider = new Provider(
      issuer,
      providerConfiguration({
        config,
        store,
        secret,
        signingKeys: keys.signing,
        adapter,
        bindings: tenantBindings,
        cookieKeys: [deriveKey(secret, 'oidc-cookies').toString('base64url')],
      }),
    );
    // Absolute URLs and cookie security follow X-Forwarded-Host/Proto, which oauthRoutes sets to the public origin.
    provider.proxy = true;
    provider.use(limitDeviceCodeAttempts(kv, options.clientIp));
    provider.use(denySessionsOnLogout(kv));
    if (options.metrics !== undefined) provider.use(recordGrantLogins(options.metrics));
    // The token endpoint's grant handlers have no public getter; weak_cache is the library's own accessor for its
    // private state. Startup fails below, loudly, if a library upgrade changes that shape.
    const handlers = instance(provider).grantTypeHandlers;
    const refresh = handlers.get('refresh_token');
    const clientCredentials = handlers.get('client_credentials');
    if (refresh === undefined || clientCredentials === undefined) {
      throw new Error('oidc-provider did not register the refresh_token and client_credentials grants');
    }
    const params = (grant: string) => [...(instance(provider).grantTypeParams.get(grant) ?? [])];
    provider.registerGrantType(
      'refresh_token',
      refreshSingleFlight(refresh, {
        provider,
        kv,
        graceMs: graceSeconds * 1000,
        sealKey: deriveKey(secret, 'refresh-grace'),
        ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
      }),
      params('refresh_token'),
      ['resource'],
    );
    provider.registerGrantType(
      'client_credentials',
      defaultClientCredentialsScope(clientCredentials),
      params('client_credentials'),
      ['resource'],
    );
    return { provider, callback: provider.callback() };
  };

  let keys = await loadKeySet(store, secret);
  let current = build(keys);

  const reloadKeys = async (): Promise<boolean> => {
    const next = await loadKeySet(store, secret);
    if (fingerprint(next) === fingerprint(keys)) return false;
    keys = next;
    current = build(next);
    return true;
  };
  const quietly = (work: () => Promise<unknown>) => () => {
    work().catch(() => {
      // A failed reload or sweep is retried at the next tick or message; serving goes on with what it has.
    });
  };
  const unsubscribe = await kv.subscribe(KEYS_CHANNEL, quietly(reloadKeys));
  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number | undefined, fallback: number, work: () => Promise<unknown>) => {
    const period = ms ?? fallback;
    if (period <= 0) return;
    const timer = setInterval(quietly(work), period);
    timer.unref();
    timers.push(timer);
  };
  every(options.keyCheckMs, 60_000, reloadKeys);
  every(options.sweepMs, 600_000, () => sweepExpired(store));

  return {
    issuer,
    provider: () => current.provider,
    publicJwks: () => keys.jwks,
    handle: (req, res) => current.callback(req, res),
    reloadKeys,
    store,
    kv,
    adapters: adapter,
    bindings: tenantBindings,
    async close() {
      for (const timer of timers) clearInterval(timer);
      await unsubscribe();
    },
  };
}

/** Provider middleware: a confirmed logout denies the ended session (the `sid` of its access tokens). */
function denySessionsOnLogout(kv: Kv) {
  return async (ctx: MiddlewareContext, next: () => Promise<void>): Promise<void> => {
    await next();
    const session = ctx.oidc?.session;
    if (ctx.oidc?.route !== 'end_session_confirm' || session?.destroyed !== true) return;
    await deny(kv, 'session', session.uid);
  };
}
