/**
 * Turns an identity an upstream provider proved into a Galley user with a membership in the provider's tenant.
 *
 * Rules: the upstream must assert a verified email; the user is found by that email or created without a
 * password (email verified); a user who is not yet a member joins with the provider's default role only when
 * the email's domain is one of the provider's domains (just-in-time membership), otherwise the sign-in is
 * refused and nothing is written. Existing members keep their role.
 *
 * Pre-hijacking defence: when an existing account's email was never verified, whoever set its password never
 * proved they own the address, and the upstream just proved that the person signing in does. The account is
 * marked verified and the unproven password removed (`user.email_verified` records it), so an attacker who
 * registered the address first cannot keep a way in.
 */
import type { Kysely } from 'kysely';
import { grantMembership } from '../../../content/identity/membershipGranter.ts';
import { createUser } from '../../../content/identity/userCreator.ts';
import { appendEvent } from '../../../data/events/eventLog.ts';
import type { Database, MemberRole, UsersTable } from '../../../data/store/schema.ts';
import { inTransaction } from '../../../data/store/transaction.ts';
import { isGalleyError } from '../../errors/errors.ts';
import type { SsoProvider } from './ssoProviders.ts';
import { SsoError, type UpstreamIdentity } from './ssoUpstream.ts';

/** Input of completeSsoLogin. */
export interface SsoLoginProps {
  /** The store's Kysely, or a transaction to join. */
  readonly db: Kysely<Database>;
  /** The provider the person signed in through (its tenant is the one joined). */
  readonly provider: SsoProvider;
  /** What the upstream's ID token (or UserInfo) proved. */
  readonly identity: UpstreamIdentity;
}

/** Outcome of a successful SSO sign-in. */
export interface SsoLoginResult {
  readonly userId: string;
  /** The tenant role the user holds now. */
  readonly role: MemberRole;
  /** True when this sign-in created the user. */
  readonly userCreated: boolean;
  /** True when this sign-in created the membership (just in time). */
  readonly joined: boolean;
}

/** The domain of a lowercase email address. */
function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1);
}

/** Signs the person in; SsoError GALLEY_SSO_EMAIL_UNVERIFIED or GALLEY_SSO_DOMAIN_NOT_ALLOWED when refused. */
export async function completeSsoLogin(props: SsoLoginProps): Promise<SsoLoginResult> {
  const { identity, provider } = props;
  const email = identity.email?.trim().toLowerCase();
  if (email === undefined || !identity.emailVerified) {
    throw new SsoError(
      'GALLEY_SSO_EMAIL_UNVERIFIED',
      'denied',
      'the identity provider did not assert a verified email',
    );
  }
  try {
    return await signIn(props.db, provider, email, identity.name);
  } catch (error) {
    // Two first sign-ins of one person race to create the user; the loser finds it on a second pass.
    if (isGalleyError(error, 'GALLEY_CONFLICT') || uniqueViolation(error)) {
      return signIn(props.db, provider, email, identity.name);
    }
    throw error;
  }
}

function uniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '23505';
}

async function signIn(
  db: Kysely<Database>,
  provider: SsoProvider,
  email: string,
  name: string | undefined,
): Promise<SsoLoginResult> {
  const actor = `sso:${provider.id}`;
  const allowed = provider.domains.includes(domainOf(email));
  return inTransaction(db, async (trx) => {
    let user: Pick<UsersTable, 'id' | 'email_verified' | 'password_hash'> | undefined = await trx
      .selectFrom('users')
      .select(['id', 'email_verified', 'password_hash'])
      .where('email', '=', email)
      .executeTakeFirst();
    const membership =
      user === undefined
        ? undefined
        : await trx
            .selectFrom('memberships')
            .select('role')
            .where('tenant_id', '=', provider.tenantId)
            .where('user_id', '=', user.id)
            .executeTakeFirst();
    if (membership === undefined && !allowed) {
      throw new SsoError(
        'GALLEY_SSO_DOMAIN_NOT_ALLOWED',
        'not_member',
        'this email domain does not join the tenant automatically and the user is not a member',
      );
    }
    const userCreated = user === undefined;
    if (user === undefined) {
      user = await createUser({
        db: trx,
        tenantId: provider.tenantId,
        email,
        name: name ?? email,
        emailVerified: true,
        actor,
      });
    } else if (Number(user.email_verified) !== 1) {
      await trx
        .updateTable('users')
        .set({ email_verified: 1, password_hash: null })
        .where('id', '=', user.id)
        .execute();
      await appendEvent(trx, {
        tenantId: provider.tenantId,
        name: 'user.email_verified',
        subjectId: user.id,
        actor,
        data: { via: 'sso', providerId: provider.id, passwordRemoved: user.password_hash !== null },
      });
    }
    if (membership !== undefined) return { userId: user.id, role: membership.role, userCreated, joined: false };
    await grantMembership({ db: trx, tenantId: provider.tenantId, userId: user.id, role: provider.defaultRole, actor });
    return { userId: user.id, role: provider.defaultRole, userCreated, joined: true };
  });
}
