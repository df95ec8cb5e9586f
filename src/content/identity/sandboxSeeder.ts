/**
 * Seeds the sandbox tenant: tenant `sandbox`, an owner user with a generated password, and a credentials file
 * (`$GALLEY_DATA_DIR/sandbox-credentials.json`, mode 0600) so a fresh clone can sign in and call the API.
 *
 * Idempotent: when the tenant and the file exist, nothing changes. When the tenant exists but the file is gone,
 * the owner's password is rotated and the file written again (the old password cannot be recovered).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { appendEvent } from '../../data/events/eventLog.ts';
import type { Store } from '../../data/store/port.ts';
import type { TenantsTable } from '../../data/store/schema.ts';
import { createServiceClient, storedClientSecret } from '../../experience/auth/oidc/serviceClientCreator.ts';
import { hashPassword } from '../../experience/auth/passwordHash.ts';
import { seedSandboxContent } from '../sandboxContent.ts';
import { grantMembership } from './membershipGranter.ts';
import { createTenant } from './tenantCreator.ts';
import { createUser } from './userCreator.ts';

/** Slug of the sandbox tenant. */
export const SANDBOX_SLUG = 'sandbox';
/** Email of the sandbox owner. */
export const SANDBOX_OWNER_EMAIL = 'owner@sandbox.galley.test';
/** File name of the credentials inside the data directory. */
export const CREDENTIALS_FILE = 'sandbox-credentials.json';

/**
 * Contents of sandbox-credentials.json; with an OAuth client also `issuer`, `client_id` and `client_secret`
 * (POST `${issuer}/token` with grant_type=client_credentials).
 */
export interface SandboxCredentials {
  readonly tenant: string;
  readonly tenant_id: string;
  readonly owner: { readonly email: string; readonly password: string };
  readonly [extra: string]: unknown;
}

/** What the sandbox's OAuth client needs: the issuer to write down and the master secret (seals the secret). */
export interface SandboxOauth {
  /** `${publicUrl}/oauth` (issuerOf(config)). */
  readonly issuer: string;
  /** The master secret (loadSecret(config)). */
  readonly secret: string;
}

/** Input of seedSandbox. */
export interface SandboxSeederProps {
  readonly store: Store;
  /** Directory the credentials file goes into. */
  readonly dataDir: string;
  /** When given, also a confidential client_credentials client for the sandbox (editor role). */
  readonly oauth?: SandboxOauth;
}

/** What seedSandbox did. */
export interface SandboxSeedResult {
  readonly tenant: TenantsTable;
  /** True when this call created the tenant. */
  readonly created: boolean;
  readonly credentialsPath: string;
  readonly credentials: SandboxCredentials;
}

function readCredentials(file: string): SandboxCredentials | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SandboxCredentials;
  } catch {
    return undefined;
  }
}

function writeCredentials(file: string, credentials: SandboxCredentials): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  // writeFileSync keeps an existing file's mode; make sure it is private either way.
  chmodSync(file, 0o600);
}

/**
 * Makes sure the sandbox tenant, its owner and the credentials file exist — and, with `oauth`, the sandbox's
 * service client (editor role) whose `issuer`, `client_id` and `client_secret` join the file.
 */
export async function seedSandbox(props: SandboxSeederProps): Promise<SandboxSeedResult> {
  const seeded = await seedTenantAndOwner(props);
  if (props.oauth === undefined) return seeded;
  const client = await ensureSandboxClient(props.store, props.oauth, seeded.tenant.id, seeded.credentials);
  if (client === undefined) return seeded;
  const credentials = { ...seeded.credentials, ...client, tenant: SANDBOX_SLUG };
  writeCredentials(seeded.credentialsPath, credentials);
  return { ...seeded, credentials };
}

/** Name of the sandbox's service account. */
export const SANDBOX_CLIENT_NAME = 'Sandbox API client';

/**
 * The sandbox client's fields for the credentials file when they must change (undefined when the file already
 * holds them): the client named in the file, else the sandbox service account's client, else a new one.
 */
async function ensureSandboxClient(
  store: Store,
  oauth: SandboxOauth,
  tenantId: string,
  onFile: SandboxCredentials,
): Promise<{ issuer: string; client_id: string; client_secret: string } | undefined> {
  const fileId = typeof onFile.client_id === 'string' ? onFile.client_id : undefined;
  const account = await store.db
    .selectFrom('service_accounts')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('name', '=', SANDBOX_CLIENT_NAME)
    .orderBy('created_at')
    .executeTakeFirst();
  for (const id of [fileId, account?.id]) {
    const secret = id === undefined ? undefined : await storedClientSecret(store, oauth.secret, id);
    if (id === undefined || secret === undefined) continue;
    const unchanged = id === fileId && secret === onFile.client_secret && onFile.issuer === oauth.issuer;
    return unchanged ? undefined : { issuer: oauth.issuer, client_id: id, client_secret: secret };
  }
  const created = await createServiceClient({
    store,
    secret: oauth.secret,
    tenantId,
    name: SANDBOX_CLIENT_NAME,
    role: 'editor',
    actor: 'system',
  });
  return { issuer: oauth.issuer, client_id: created.clientId, client_secret: created.clientSecret };
}

async function seedTenantAndOwner(props: SandboxSeederProps): Promise<SandboxSeedResult> {
  const credentialsPath = path.join(props.dataDir, CREDENTIALS_FILE);
  const db = props.store.db;
  const existing = await db.selectFrom('tenants').selectAll().where('slug', '=', SANDBOX_SLUG).executeTakeFirst();
  const onFile = readCredentials(credentialsPath);
  if (existing !== undefined && onFile?.tenant_id === existing.id) {
    await seedSandboxContent(props.store, existing.id);
    return { tenant: existing, created: false, credentialsPath, credentials: onFile };
  }
  const password = randomBytes(18).toString('base64url');
  if (existing === undefined) {
    const tenant = await db.transaction().execute(async (trx) => {
      const t = await createTenant({ db: trx, slug: SANDBOX_SLUG, name: 'Sandbox', actor: 'system' });
      const owner = await createUser({
        db: trx,
        tenantId: t.id,
        email: SANDBOX_OWNER_EMAIL,
        name: 'Sandbox Owner',
        password,
        emailVerified: true,
        actor: 'system',
      });
      await grantMembership({ db: trx, tenantId: t.id, userId: owner.id, role: 'owner', actor: 'system' });
      return t;
    });
    const credentials = {
      ...onFile,
      tenant: SANDBOX_SLUG,
      tenant_id: tenant.id,
      owner: { email: SANDBOX_OWNER_EMAIL, password },
    };
    writeCredentials(credentialsPath, credentials);
    await seedSandboxContent(props.store, tenant.id);
    return { tenant, created: true, credentialsPath, credentials };
  }
  // The tenant exists but its credentials file is missing or stale: rotate the owner's password.
  const hash = await hashPassword(password);
  await db.transaction().execute(async (trx) => {
    const owner = await trx
      .selectFrom('users')
      .select('id')
      .where('email', '=', SANDBOX_OWNER_EMAIL)
      .executeTakeFirstOrThrow();
    await trx.updateTable('users').set({ password_hash: hash }).where('id', '=', owner.id).execute();
    await appendEvent(trx, {
      tenantId: existing.id,
      name: 'user.password_rotated',
      subjectId: owner.id,
      actor: 'system',
      data: { reason: 'sandbox credentials file missing' },
    });
  });
  const credentials = {
    ...onFile,
    tenant: SANDBOX_SLUG,
    tenant_id: existing.id,
    owner: { email: SANDBOX_OWNER_EMAIL, password },
  };
  writeCredentials(credentialsPath, credentials);
  await seedSandboxContent(props.store, existing.id);
  return { tenant: existing, created: false, credentialsPath, credentials };
}
