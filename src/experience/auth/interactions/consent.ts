/**
 * The consent step: which tenant the grant is for, and the grant itself. A grant serves exactly one tenant (its
 * binding decides the tokens' `tid`); switching tenant makes a new grant rather than widening the old one.
 */
import type { Interaction, Provider } from 'oidc-provider';
import type { Store } from '../../../data/store/port.ts';
import { type Membership, membershipsOf } from '../oidc/accounts.ts';
import { OIDC_SCOPES, TTL } from '../oidc/providerConfig.ts';
import type { TenantBindings } from '../oidc/tokenClaims.ts';
import { API_SCOPE } from '../tokenContract.ts';

/** The tenant chosen at login in this interaction chain (`galley.tenantId` of the login result). */
export function tenantChosenAtLogin(interaction: Pick<Interaction, 'lastSubmission'>): string | undefined {
  const galley = interaction.lastSubmission?.galley as { tenantId?: unknown } | undefined;
  return typeof galley?.tenantId === 'string' ? galley.tenantId : undefined;
}

/** Outcome of working out the tenant of a consent. */
export type TenantResolution =
  | { readonly kind: 'resolved'; readonly tenant: Membership; readonly memberships: readonly Membership[] }
  | { readonly kind: 'choose'; readonly memberships: readonly Membership[] }
  | { readonly kind: 'not_member'; readonly slug: string; readonly memberships: readonly Membership[] };

/**
 * Picks the tenant: the one chosen at login, else the `tenant` parameter (slug), else the tenant of the grant
 * being extended, else the only membership; otherwise the user must choose.
 */
export async function resolveTenant(
  store: Store,
  bindings: TenantBindings,
  interaction: Interaction,
  accountId: string,
): Promise<TenantResolution> {
  const memberships = await membershipsOf(store, accountId);
  const byId = (id: string | undefined) => memberships.find((m) => m.id === id);
  const chosen = byId(tenantChosenAtLogin(interaction));
  if (chosen !== undefined) return { kind: 'resolved', tenant: chosen, memberships };
  const slug = interaction.params.tenant;
  if (typeof slug === 'string' && slug !== '') {
    const named = memberships.find((m) => m.slug === slug.trim().toLowerCase());
    return named === undefined
      ? { kind: 'not_member', slug, memberships }
      : { kind: 'resolved', tenant: named, memberships };
  }
  const bound = interaction.grantId === undefined ? undefined : byId(await bindings.tenantOf(interaction.grantId));
  if (bound !== undefined) return { kind: 'resolved', tenant: bound, memberships };
  const only = memberships.length === 1 ? memberships[0] : undefined;
  return only === undefined ? { kind: 'choose', memberships } : { kind: 'resolved', tenant: only, memberships };
}

/** What approveConsent needs. */
export interface ApproveConsentProps {
  readonly provider: Provider;
  readonly bindings: TenantBindings;
  readonly interaction: Interaction;
  readonly accountId: string;
  readonly tenantId: string;
  /** The API resource indicator (GALLEY_API_AUDIENCE). */
  readonly audience: string;
}

/** Grants what the client asked for, bound to the tenant; returns the grant id for `{ consent: { grantId } }`. */
export async function approveConsent(props: ApproveConsentProps): Promise<string> {
  const { provider, interaction } = props;
  const clientId = interaction.params.client_id;
  if (typeof clientId !== 'string') throw new Error('interaction without client_id');
  let grant = interaction.grantId === undefined ? undefined : await provider.Grant.find(interaction.grantId);
  if (grant !== undefined && (await props.bindings.tenantOf(grant.jti)) !== props.tenantId) grant = undefined;
  grant ??= new provider.Grant({ accountId: props.accountId, clientId });

  const requested = String(interaction.params.scope ?? '')
    .split(' ')
    .filter((s) => s !== '');
  const oidcScopes = requested.filter((s) => OIDC_SCOPES.includes(s));
  if (oidcScopes.length > 0) grant.addOIDCScope(oidcScopes.join(' '));
  const { missingOIDCClaims, missingResourceScopes } = interaction.prompt.details;
  if (missingOIDCClaims !== undefined && missingOIDCClaims.length > 0) grant.addOIDCClaims(missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(missingResourceScopes ?? {})) {
    grant.addResourceScope(resource, scopes.join(' '));
  }
  if (requested.includes(API_SCOPE)) grant.addResourceScope(props.audience, API_SCOPE);

  const grantId = await grant.save();
  const remaining = grant.exp === undefined ? TTL.grant : Math.max(1, grant.exp - Math.floor(Date.now() / 1000));
  await props.bindings.bind(grantId, props.tenantId, remaining);
  return grantId;
}
