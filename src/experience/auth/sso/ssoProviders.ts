/**
 * A tenant's upstream OpenID Connect providers: registration, listing and removal. The client secret is sealed
 * at rest under `deriveKey(secret, 'sso-client-secrets')` and never leaves this module except to the code
 * exchange; `SsoProvider` (what callers list and present) carries no secret. Additions and removals record
 * `sso_provider.added` / `sso_provider.removed` in the tenant's log.
 */
import type { Kysely } from 'kysely';
import { newId } from '../../../content/identity/ids.ts';
import { appendEvent } from '../../../data/events/eventLog.ts';
import type { Store } from '../../../data/store/port.ts';
import { type Database, MEMBER_ROLES, type MemberRole } from '../../../data/store/schema.ts';
import { inTransaction } from '../../../data/store/transaction.ts';
import { GalleyError } from '../../errors/errors.ts';
import { deriveKey, seal, unseal } from '../secrets.ts';

/** Row of `sso_providers` (migration 0009). */
export interface SsoProvidersTable {
  id: string;
  tenant_id: string;
  name: string;
  issuer: string;
  client_id: string;
  client_secret_sealed: string;
  /** JSON array of lowercase email domains granted just-in-time membership. */
  domains: string;
  default_role: MemberRole;
  created_at: string;
}

type SsoTables = Database & { sso_providers: SsoProvidersTable };

/** Purpose of the key that seals client secrets. */
export const SSO_SECRET_PURPOSE = 'sso-client-secrets';

/** Role given by just-in-time membership when none is configured. */
export const DEFAULT_SSO_ROLE: MemberRole = 'author';

/** A provider as callers see it: everything but the secret. */
export interface SsoProvider {
  readonly id: string;
  readonly tenantId: string;
  /** Display name on the login page, unique within the tenant. */
  readonly name: string;
  /** The upstream's issuer identifier (discovery runs against it). */
  readonly issuer: string;
  readonly clientId: string;
  /** Email domains whose verified users join the tenant on first sign-in. */
  readonly domains: readonly string[];
  /** Role given by that just-in-time membership. */
  readonly defaultRole: MemberRole;
  readonly createdAt: string;
}

/** Input of addSsoProvider. */
export interface SsoProviderAdderProps {
  /** The store's Kysely, or a transaction to join. */
  readonly db: Kysely<Database>;
  /** Master secret (client secrets are sealed under a key derived from it). */
  readonly secret: string;
  readonly tenantId: string;
  readonly name: string;
  /** https URL, or http on a loopback host (local setups and tests). */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Email domains for just-in-time membership; may be empty (then only existing members sign in). */
  readonly domains: readonly string[];
  /** Role of just-in-time members; default DEFAULT_SSO_ROLE; never owner. */
  readonly defaultRole?: MemberRole;
  /** Who adds it. */
  readonly actor: string;
}

/** Input of removeSsoProvider. */
export interface SsoProviderRemoverProps {
  readonly db: Kysely<Database>;
  readonly tenantId: string;
  readonly providerId: string;
  readonly actor: string;
}

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

function sso(db: Kysely<Database>): Kysely<SsoTables> {
  return db.withTables<{ sso_providers: SsoProvidersTable }>();
}

function invalid(field: string, message: string): GalleyError {
  return new GalleyError('GALLEY_VALIDATION_FAILED', `${field.slice(1)} ${message}`, {
    errors: [{ field, message }],
  });
}

/** True for hosts that never leave the machine: `localhost`, 127.0.0.0/8 and `::1`. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/** Checks an issuer URL: https, or http only on a loopback host; no query or fragment. */
export function parseIssuer(issuer: string): URL {
  let url: URL;
  try {
    url = new URL(issuer.trim());
  } catch {
    throw invalid('/issuer', 'must be an absolute URL');
  }
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
  if (!secure) throw invalid('/issuer', 'must use https (http is allowed only on a loopback host)');
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw invalid('/issuer', 'must not carry credentials, a query or a fragment');
  }
  return url;
}

/** Lowercases, checks and de-duplicates email domains. */
export function normaliseDomains(domains: readonly string[]): string[] {
  const out = new Set<string>();
  for (const raw of domains) {
    const domain = raw.trim().toLowerCase().replace(/^@/, '');
    if (domain === '') continue;
    if (!DOMAIN.test(domain)) throw invalid('/domains', `"${raw}" is not a domain name`);
    out.add(domain);
  }
  return [...out].sort();
}

function present(row: SsoProvidersTable): SsoProvider {
  return Object.freeze({
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    issuer: row.issuer,
    clientId: row.client_id,
    domains: Object.freeze(parseDomains(row.domains)),
    defaultRole: row.default_role,
    createdAt: row.created_at,
  });
}

function parseDomains(text: string): string[] {
  const parsed: unknown = JSON.parse(text);
  return Array.isArray(parsed) ? parsed.filter((d): d is string => typeof d === 'string') : [];
}

function checkText(field: string, value: string, max: number): string {
  const text = value.trim();
  if (text.length === 0 || text.length > max) throw invalid(field, `must be 1–${max} characters`);
  return text;
}

/** Registers a provider; GALLEY_VALIDATION_FAILED for bad input, GALLEY_NOT_FOUND for an unknown tenant,
 * GALLEY_CONFLICT when the tenant already has a provider of that name. */
export async function addSsoProvider(props: SsoProviderAdderProps): Promise<SsoProvider> {
  const name = checkText('/name', props.name, 100);
  parseIssuer(props.issuer);
  const clientId = checkText('/clientId', props.clientId, 255);
  if (props.clientSecret.length === 0 || props.clientSecret.length > 1024) {
    throw invalid('/clientSecret', 'must be 1–1024 characters');
  }
  const domains = normaliseDomains(props.domains);
  const role = props.defaultRole ?? DEFAULT_SSO_ROLE;
  // Owner is never handed out automatically: ownership is granted by a person.
  if (!MEMBER_ROLES.includes(role) || role === 'owner')
    throw invalid('/defaultRole', 'must be admin, editor, author or viewer');
  const row: SsoProvidersTable = {
    id: newId(),
    tenant_id: props.tenantId,
    name,
    // Kept as typed: discovery compares issuers as parsed URLs, so a trailing slash does not matter.
    issuer: props.issuer.trim(),
    client_id: clientId,
    client_secret_sealed: seal(deriveKey(props.secret, SSO_SECRET_PURPOSE), props.clientSecret),
    domains: JSON.stringify(domains),
    default_role: role,
    created_at: new Date().toISOString(),
  };
  return inTransaction(sso(props.db), async (trx) => {
    const tenant = await trx.selectFrom('tenants').select('id').where('id', '=', props.tenantId).executeTakeFirst();
    if (tenant === undefined) throw new GalleyError('GALLEY_NOT_FOUND', 'tenant not found');
    const taken = await trx
      .selectFrom('sso_providers')
      .select('id')
      .where('tenant_id', '=', props.tenantId)
      .where('name', '=', name)
      .executeTakeFirst();
    if (taken !== undefined) throw new GalleyError('GALLEY_CONFLICT', `the tenant already has a provider "${name}"`);
    await trx.insertInto('sso_providers').values(row).execute();
    await appendEvent(trx, {
      tenantId: props.tenantId,
      name: 'sso_provider.added',
      subjectId: row.id,
      actor: props.actor,
      data: { name, issuer: row.issuer, clientId, domains, defaultRole: role },
    });
    return present(row);
  });
}

/** The tenant's providers, by name. */
export async function listSsoProviders(store: Store, tenantId: string): Promise<SsoProvider[]> {
  const rows = await sso(store.db)
    .selectFrom('sso_providers')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('name')
    .execute();
  return rows.map(present);
}

/** Removes a provider; GALLEY_NOT_FOUND when the tenant has no such provider. */
export async function removeSsoProvider(props: SsoProviderRemoverProps): Promise<void> {
  await inTransaction(sso(props.db), async (trx) => {
    const removed = await trx
      .deleteFrom('sso_providers')
      .where('tenant_id', '=', props.tenantId)
      .where('id', '=', props.providerId)
      .returning(['id', 'name'])
      .executeTakeFirst();
    if (removed === undefined) throw new GalleyError('GALLEY_NOT_FOUND', 'SSO provider not found');
    await appendEvent(trx, {
      tenantId: props.tenantId,
      name: 'sso_provider.removed',
      subjectId: removed.id,
      actor: props.actor,
      data: { name: removed.name },
    });
  });
}

/** A provider with its client secret unsealed, for the code exchange only. */
export interface SsoProviderWithSecret extends SsoProvider {
  readonly clientSecret: string;
}

/** One of the tenant's providers with its secret, or undefined. */
export async function findSsoProvider(
  store: Store,
  secret: string,
  tenantId: string,
  providerId: string,
): Promise<SsoProviderWithSecret | undefined> {
  const row = await sso(store.db)
    .selectFrom('sso_providers')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', providerId)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const clientSecret = unseal(deriveKey(secret, SSO_SECRET_PURPOSE), row.client_secret_sealed);
  return Object.freeze({ ...present(row), clientSecret });
}
