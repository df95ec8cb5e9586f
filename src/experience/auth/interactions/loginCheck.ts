/**
 * The login form's decision: password first (authenticatePassword, with its lockout), then the tenant — the
 * user must be a member of the tenant named on the form; without one, a single membership decides it and
 * several leave the choice to the consent step.
 */
import type { Kv } from '../../../data/kv/port.ts';
import type { Store } from '../../../data/store/port.ts';
import type { GalleyMetrics } from '../../../ops/metrics/registry.ts';
import { membershipsOf, roleIn, tenantBySlug } from '../oidc/accounts.ts';
import type { PasswordAuthenticator } from '../password/passwordLogin.ts';

/** Input of checkLogin. */
export interface LoginCheckProps {
  readonly store: Store;
  readonly kv: Kv;
  readonly metrics?: GalleyMetrics;
  readonly authenticate: PasswordAuthenticator;
  readonly email: string;
  readonly password: string;
  /** Tenant slug typed on the form; empty when none. */
  readonly tenantSlug: string;
  readonly ip: string;
}

/** Outcome: the user (and the tenant when decided), or the page error to show with its HTTP status. */
export type LoginCheckResult =
  | { readonly ok: true; readonly userId: string; readonly tenantId?: string }
  | { readonly ok: false; readonly status: number; readonly message: string; readonly retryAfterSeconds?: number };

/** Checks the login form. */
export async function checkLogin(props: LoginCheckProps): Promise<LoginCheckResult> {
  if (props.email.trim() === '' || props.password === '') {
    return { ok: false, status: 400, message: 'Enter your email and password.' };
  }
  const auth = await props.authenticate({
    store: props.store,
    kv: props.kv,
    ...(props.metrics === undefined ? {} : { metrics: props.metrics }),
    email: props.email,
    password: props.password,
    ip: props.ip,
  });
  if (!auth.ok) {
    const retry = auth.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: auth.retryAfterSeconds };
    return auth.reason === 'locked'
      ? {
          ok: false,
          status: 429,
          message: `Too many attempts. Try again in ${auth.retryAfterSeconds ?? 60} seconds.`,
          ...retry,
        }
      : { ok: false, status: 401, message: 'Email or password is incorrect.', ...retry };
  }
  if (props.tenantSlug !== '') {
    const tenant = await tenantBySlug(props.store, props.tenantSlug);
    if (tenant === undefined || (await roleIn(props.store, tenant.id, auth.userId)) === undefined) {
      return { ok: false, status: 403, message: `You are not a member of the publication "${props.tenantSlug}".` };
    }
    return { ok: true, userId: auth.userId, tenantId: tenant.id };
  }
  const memberships = await membershipsOf(props.store, auth.userId);
  if (memberships.length === 0) {
    return { ok: false, status: 403, message: 'Your account does not belong to any publication yet.' };
  }
  const only = memberships.length === 1 ? memberships[0] : undefined;
  return only === undefined ? { ok: true, userId: auth.userId } : { ok: true, userId: auth.userId, tenantId: only.id };
}
