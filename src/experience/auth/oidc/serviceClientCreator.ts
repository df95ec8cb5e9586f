/**
 * Creates a machine client: a service account in a tenant (createServiceAccount) and a confidential OAuth client
 * for it that may only use the client_credentials grant. The client is stored through the oidc adapter (secret
 * sealed at rest), so every process finds it without a restart. Its id is the service account's id, so the
 * tokens' `sub` names the service account; its metadata carries `tenant_id`, `galley_role` and
 * `service_account_id` for the token claims. The secret is returned once and never again.
 */
import { randomBytes } from 'node:crypto';
import { createServiceAccount } from '../../../content/identity/serviceAccountCreator.ts';
import type { Store } from '../../../data/store/port.ts';
import type { MemberRole, ServiceAccountsTable } from '../../../data/store/schema.ts';
import { GalleyError } from '../../errors/errors.ts';
import { deriveKey } from '../secrets.ts';
import { tenantBySlug } from './accounts.ts';
import { createStoreAdapterFactory } from './storeAdapter.ts';

/** Input of createServiceClient. */
export interface ServiceClientCreatorProps {
  readonly store: Store;
  /** Master secret (seals the client secret at rest). */
  readonly secret: string;
  /** Tenant by slug (or pass tenantId). */
  readonly tenantSlug?: string;
  readonly tenantId?: string;
  readonly name: string;
  readonly role: MemberRole;
  /** Who creates it, for the event log. */
  readonly actor: string;
}

/** The created client; `clientSecret` is shown once. */
export interface CreatedServiceClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly tenantId: string;
  readonly serviceAccount: ServiceAccountsTable;
}

/** Creates the service account and its client. GALLEY_NOT_FOUND for an unknown tenant. */
export async function createServiceClient(props: ServiceClientCreatorProps): Promise<CreatedServiceClient> {
  const tenantId =
    props.tenantId ??
    (props.tenantSlug === undefined ? undefined : (await tenantBySlug(props.store, props.tenantSlug))?.id);
  if (tenantId === undefined) throw new GalleyError('GALLEY_NOT_FOUND', 'tenant not found');
  const account = await createServiceAccount({
    db: props.store.db,
    tenantId,
    name: props.name,
    role: props.role,
    actor: props.actor,
  });
  const clientSecret = randomBytes(32).toString('base64url');
  const adapters = createStoreAdapterFactory({
    store: props.store,
    clientSecretKey: deriveKey(props.secret, 'oidc-client-secrets'),
  });
  await adapters('Client').upsert(
    account.id,
    {
      client_id: account.id,
      client_secret: clientSecret,
      client_name: account.name,
      client_id_issued_at: Math.floor(Date.now() / 1000),
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      tenant_id: tenantId,
      galley_role: account.role,
      service_account_id: account.id,
    },
    undefined,
  );
  return { clientId: account.id, clientSecret, tenantId, serviceAccount: account };
}

/** The stored client's current secret, or undefined when no such client is stored. */
export async function storedClientSecret(store: Store, secret: string, clientId: string): Promise<string | undefined> {
  const clients = createStoreAdapterFactory({ store, clientSecretKey: deriveKey(secret, 'oidc-client-secrets') })(
    'Client',
  );
  const found = await clients.find(clientId);
  return typeof found?.client_secret === 'string' ? found.client_secret : undefined;
}
