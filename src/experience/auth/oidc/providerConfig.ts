/**
 * The oidc-provider configuration: Galley's policy in one object. OAuth 2.1 profile — code flow only, PKCE S256
 * for every client, rotating refresh tokens; device flow and client credentials on; JWT ES256 access tokens for
 * the API resource with the token contract's claims and lifetime; introspection, revocation and RP-initiated
 * logout on; no dev interactions (login and consent are Galley's own pages under `/oauth/interaction/<uid>`).
 */
import type { Configuration, Grant, JsonObject, KoaContextWithOIDC, Token } from 'oidc-provider';
import { errors } from 'oidc-provider';
import type { Config } from '../../../config/config.ts';
import type { Store } from '../../../data/store/port.ts';
import { INLINE_SIGNING_FEATURE, InlineSigningKey } from '../keys/inlineSigningKey.ts';
import type { Jwk } from '../keys/signingKeys.ts';
import { ACCESS_TOKEN_ALG, ACCESS_TOKEN_TTL_S, API_SCOPE, GALLEY_API_AUDIENCE, issuerOf } from '../tokenContract.ts';
import { accountFinder, tenantBySlug } from './accounts.ts';
import {
  deviceSuccessSource,
  logoutSource,
  postLogoutSuccessSource,
  renderError,
  userCodeConfirmSource,
  userCodeInputSource,
} from './providerPages.ts';
import { staticClients } from './staticClients.ts';
import type { AdapterFactory } from './storeAdapter.ts';
import { customizeJwt, extraTokenClaims, type TenantBindings } from './tokenClaims.ts';

/** Lifetimes, seconds. */
export const TTL = Object.freeze({
  authorizationCode: 60,
  deviceCode: 600,
  idToken: 3600,
  interaction: 600,
  refreshToken: 14 * 24 * 3600,
  session: 14 * 24 * 3600,
  /** The longest a login lasts through refreshes; grants (and their tenant bindings) expire with it. */
  grant: 30 * 24 * 3600,
});

/** OIDC scopes; the API's own scope (API_SCOPE) belongs to the resource server, not here. */
export const OIDC_SCOPES = Object.freeze(['openid', 'offline_access', 'email', 'profile']);

/** What the configuration is built from. */
export interface ProviderConfigInput {
  readonly config: Config;
  readonly store: Store;
  readonly secret: string;
  /** Private signing JWKs, current first. */
  readonly signingKeys: readonly Jwk[];
  readonly adapter: AdapterFactory;
  readonly bindings: TenantBindings;
  /** Keys signing the provider's cookies (derived from the master secret). */
  readonly cookieKeys: readonly string[];
}

/** The tenant a request asks for: chosen at login in this interaction chain, else the `tenant` parameter. */
async function requestedTenant(ctx: KoaContextWithOIDC, store: Store): Promise<string | undefined> {
  const galley = ctx.oidc.result?.galley as { tenantId?: unknown } | undefined;
  if (typeof galley?.tenantId === 'string') return galley.tenantId;
  const slug = ctx.oidc.params?.tenant;
  if (typeof slug !== 'string' || slug === '') return undefined;
  return (await tenantBySlug(store, slug))?.id ?? `unknown:${slug}`;
}

/** `loadExistingGrant`: the session's grant for the client, unless the request is for another tenant. */
function grantLoader(store: Store, bindings: TenantBindings) {
  return async (ctx: KoaContextWithOIDC): Promise<Grant | undefined> => {
    const fromConsent = ctx.oidc.result?.consent?.grantId;
    const clientId = ctx.oidc.client?.clientId;
    const grantId = fromConsent ?? (clientId === undefined ? undefined : ctx.oidc.session?.grantIdFor(clientId));
    if (grantId === undefined) return undefined;
    const grant = await ctx.oidc.provider.Grant.find(grantId);
    if (grant === undefined || grantId === fromConsent) return grant;
    const wanted = await requestedTenant(ctx, store);
    if (wanted !== undefined && wanted !== (await bindings.tenantOf(grantId))) return undefined;
    return grant;
  };
}

/** Builds the configuration object. */
export function providerConfiguration(input: ProviderConfigInput): Configuration {
  const { config, store, bindings } = input;
  const audience = GALLEY_API_AUDIENCE(config);
  const interactionBase = new URL(issuerOf(config)).pathname;
  const secure = config.publicUrl.startsWith('https:');
  const cookie = { httpOnly: true, sameSite: 'lax', signed: true, secure } as const;
  return {
    adapter: input.adapter,
    clients: staticClients(config, input.secret),
    // Imported once per provider (a key rotation builds a new one); signs without the WebCrypto thread hop.
    jwks: { keys: input.signingKeys.map((jwk) => new InlineSigningKey(jwk)) },
    findAccount: accountFinder(store),
    loadExistingGrant: grantLoader(store, bindings),
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    scopes: [...OIDC_SCOPES],
    extraParams: ['tenant'],
    responseTypes: ['code'],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: ACCESS_TOKEN_ALG,
    },
    extraClientMetadata: {
      properties: ['tenant_id', 'galley_role', 'service_account_id'],
      validator(_ctx: unknown, key: string, value: unknown) {
        if (value !== undefined && typeof value !== 'string') {
          throw new errors.InvalidRequest(`client metadata ${key} must be a string`);
        }
      },
    },
    pkce: { required: () => true },
    clientBasedCORS: () => false,
    cookies: { keys: [...input.cookieKeys], long: cookie, short: cookie },
    interactions: {
      url: (_ctx: unknown, interaction: { uid: string }) => `${interactionBase}/interaction/${interaction.uid}`,
    },
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(type: string): boolean }) =>
      client.grantTypeAllowed('refresh_token'),
    // Browser (code flow) tokens die with the provider session, so logout revokes their grant; a device's tokens
    // (CLI) outlive the browser session that approved them.
    expiresWithSession: async (_ctx: unknown, code: { kind: string }) => code.kind === 'AuthorizationCode',
    extraTokenClaims: extraTokenClaims(store, bindings),
    formats: { customizers: { jwt: customizeJwt } },
    renderError,
    ttl: {
      AccessToken: ACCESS_TOKEN_TTL_S,
      ClientCredentials: ACCESS_TOKEN_TTL_S,
      AuthorizationCode: TTL.authorizationCode,
      DeviceCode: TTL.deviceCode,
      IdToken: TTL.idToken,
      Interaction: TTL.interaction,
      RefreshToken: TTL.refreshToken,
      Session: TTL.session,
      Grant: TTL.grant,
    },
    features: {
      devInteractions: { enabled: false },
      externalSigningSupport: INLINE_SIGNING_FEATURE,
      dPoP: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        // Confidential clients may introspect; public clients only their own tokens.
        allowedPolicy: async (_ctx: unknown, client: { clientAuthMethod: string; clientId: string }, token: Token) =>
          client.clientAuthMethod !== 'none' || token.clientId === client.clientId,
      },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx: unknown, client: { clientId: string }, token: Token) =>
          token.clientId === client.clientId,
      },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
      deviceFlow: {
        enabled: true,
        charset: 'base-20',
        mask: '****-****',
        userCodeInputSource,
        userCodeConfirmSource,
        successSource: deviceSuccessSource,
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => audience,
        // Token requests without `resource` get tokens for the API they were granted.
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: unknown, resource: string): Promise<JsonObject> => {
          if (resource !== audience) throw new errors.InvalidTarget('unknown resource indicator');
          return {
            scope: API_SCOPE,
            audience,
            accessTokenTTL: ACCESS_TOKEN_TTL_S,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: ACCESS_TOKEN_ALG } },
          };
        },
      },
    },
    enabledJWA: { idTokenSigningAlgValues: [ACCESS_TOKEN_ALG] },
  };
}
