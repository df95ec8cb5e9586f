/**
 * The Galley claims of access tokens (token contract): `tid`, `role`, `gid`, `sid` for users; `tid`, `role` and
 * `sub` = service account id for client-credentials tokens. The tenant of a user token is bound to its grant at
 * consent (a grant serves exactly one tenant); the role is read from the membership at every issuance, so a
 * removed member's refresh fails instead of minting tokens with a stale role.
 */
import { LRUCache } from 'lru-cache';
import { errors, type JsonObject, type KoaContextWithOIDC, type Token } from 'oidc-provider';
import type { Store } from '../../../data/store/port.ts';
import { API_SCOPE } from '../tokenContract.ts';
import { roleIn, serviceAccountRole } from './accounts.ts';
import type { AdapterFactory } from './storeAdapter.ts';

/** Adapter model name of grant → tenant bindings (rows live in `oidc_models` next to the grants). */
export const TENANT_BINDING_MODEL = 'GalleyGrantTenant';

/**
 * Which tenant each grant is for. A grant's binding never changes while the grant lives (consent binds a new
 * grant, or re-binds an existing one to the tenant it already has); it goes only with the grant (revocation) or
 * when both expire. Whatever issues tokens looks the grant itself up in the store first (the provider's
 * validateGrant, loadExistingGrant, approveConsent), so a binding cached past its grant's revocation is never used
 * to issue anything; the one other reader, the consent page's default tenant, is checked against the user's
 * current memberships.
 */
export interface TenantBindings {
  /** Binds the grant to the tenant for `ttlSeconds` (the grant's remaining lifetime). */
  bind(grantId: string, tenantId: string, ttlSeconds: number | undefined): Promise<void>;
  /** The grant's tenant, or undefined when unbound or expired. */
  tenantOf(grantId: string): Promise<string | undefined>;
  /** Forgets the binding (its grant was revoked). */
  unbind(grantId: string): Promise<void>;
}

/** Bindings remembered per process (each refresh reads its grant's; see TenantBindings for why caching is safe). */
export const TENANT_BINDING_CACHE_SIZE = 10_000;

/**
 * Bindings stored through the oidc adapter, with the bindings this process has seen kept in an LRU (found ones
 * only; bind and unbind update it). `cacheSize` 0 turns the cache off.
 */
export function createTenantBindings(
  adapters: AdapterFactory,
  cacheSize: number = TENANT_BINDING_CACHE_SIZE,
): TenantBindings {
  const adapter = adapters(TENANT_BINDING_MODEL);
  const seen = cacheSize > 0 ? new LRUCache<string, string>({ max: cacheSize }) : undefined;
  return {
    async bind(grantId, tenantId, ttlSeconds) {
      await adapter.upsert(grantId, { tenantId }, ttlSeconds);
      seen?.set(grantId, tenantId);
    },
    async tenantOf(grantId) {
      const cached = seen?.get(grantId);
      if (cached !== undefined) return cached;
      const found = await adapter.find(grantId);
      const tenantId = typeof found?.tenantId === 'string' ? found.tenantId : undefined;
      if (tenantId !== undefined) seen?.set(grantId, tenantId);
      return tenantId;
    },
    async unbind(grantId) {
      seen?.delete(grantId);
      await adapter.destroy(grantId);
    },
  };
}

/** Client metadata of a service client (registered by `galley clients create`). */
export interface ServiceClientMetadata {
  readonly tenant_id: string;
  readonly galley_role: string;
  readonly service_account_id: string;
}

/** The service metadata of a client, when it has all of it. */
export function serviceMetadataOf(metadata: JsonObject): ServiceClientMetadata | undefined {
  const { tenant_id: tenantId, galley_role: role, service_account_id: accountId } = metadata;
  if (typeof tenantId !== 'string' || typeof role !== 'string' || typeof accountId !== 'string') return undefined;
  return { tenant_id: tenantId, galley_role: role, service_account_id: accountId };
}

/** `extraTokenClaims`: the Galley claims stored with (and signed into) every access token. */
export function extraTokenClaims(store: Store, bindings: TenantBindings) {
  return async (ctx: KoaContextWithOIDC, token: Token): Promise<JsonObject | undefined> => {
    if (token.kind === 'ClientCredentials') {
      const client = token.client ?? ctx.oidc.client;
      const service = client === undefined ? undefined : serviceMetadataOf(client.metadata());
      if (service === undefined) throw new errors.InvalidClient('client is not a Galley service client');
      const role = await serviceAccountRole(store, service.tenant_id, service.service_account_id);
      if (role === undefined) throw new errors.InvalidClient('the service account of this client no longer exists');
      return { tid: service.tenant_id, role };
    }
    if (token.kind !== 'AccessToken') return undefined;
    if (token.grantId === undefined || token.accountId === undefined) {
      throw new errors.InvalidGrant('access token without grant or account');
    }
    const tenantId = await bindings.tenantOf(token.grantId);
    if (tenantId === undefined) throw new errors.InvalidGrant('grant is not bound to a tenant');
    const role = await roleIn(store, tenantId, token.accountId);
    if (role === undefined) throw new errors.InvalidGrant('account is no longer a member of the tenant');
    return {
      tid: tenantId,
      role,
      gid: token.grantId,
      // The provider session's uid: stable for the whole browser session, denied at logout.
      ...(token.sessionUid === undefined ? {} : { sid: token.sessionUid }),
    };
  };
}

/** The JWT being built: header fields and claims, changeable before signing. */
interface StructuredToken {
  header?: JsonObject;
  payload: JsonObject;
}

/**
 * `formats.customizers.jwt`: client-credentials tokens name the service account as `sub` (the library would put
 * the client id there) and always carry the API scope their service account acts with.
 */
export async function customizeJwt(_ctx: KoaContextWithOIDC, token: Token, jwt: StructuredToken): Promise<void> {
  if (token.kind !== 'ClientCredentials' || token.client === undefined) return;
  const service = serviceMetadataOf(token.client.metadata());
  if (service !== undefined) jwt.payload.sub = service.service_account_id;
}

/** Grant-handler wrapper: a client-credentials request without `scope` asks for the API scope. */
export function defaultClientCredentialsScope(
  handler: (ctx: KoaContextWithOIDC) => Promise<void>,
): (ctx: KoaContextWithOIDC) => Promise<void> {
  return async (ctx) => {
    const params = ctx.oidc.params;
    if (params !== undefined && (params.scope === undefined || params.scope === '')) params.scope = API_SCOPE;
    await handler(ctx);
  };
}
