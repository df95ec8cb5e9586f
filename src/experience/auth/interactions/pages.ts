/** The interaction pages: sign-in (email, password, tenant, SSO providers) and tenant choice / consent. */
import { errorBlock, html, page, type SafeHtml, safe } from './html.ts';

/** An upstream identity provider offered on the login page. */
export interface SsoProviderLink {
  readonly id: string;
  readonly name: string;
  /** Where the SSO flow starts; the page appends `interaction=<uid>` unless it is there already. */
  readonly startUrl: string;
}

/** What the login page shows. */
export interface LoginPageProps {
  readonly uid: string;
  /** Path the provider is mounted at (`/oauth`). */
  readonly basePath: string;
  readonly clientName: string;
  readonly email?: string;
  readonly tenantSlug?: string;
  readonly error?: string;
  readonly sso: readonly SsoProviderLink[];
}

function withInteraction(url: string, uid: string): string {
  if (/[?&]interaction=/.test(url)) return url;
  return `${url}${url.includes('?') ? '&' : '?'}interaction=${encodeURIComponent(uid)}`;
}

/** The sign-in page. */
export function loginPage(props: LoginPageProps): string {
  const action = `${props.basePath}/interaction/${encodeURIComponent(props.uid)}`;
  const sso: SafeHtml =
    props.sso.length === 0
      ? safe('')
      : html`<div class="sso"><p class="muted">Or sign in with your organisation:</p>${props.sso.map(
          (p) => html`<a href="${withInteraction(p.startUrl, props.uid)}">${p.name}</a>`,
        )}</div>`;
  return page(
    'Sign in to Galley',
    html`<p class="muted">to continue to <strong>${props.clientName}</strong></p>
${errorBlock(props.error)}
<form method="post" action="${action}/login" autocomplete="on">
<label for="email">Email</label>
<input id="email" name="email" type="email" required autofocus autocomplete="username" value="${props.email ?? ''}">
<label for="password">Password</label>
<input id="password" name="password" type="password" required autocomplete="current-password">
<label for="tenant">Publication (tenant)</label>
<input id="tenant" name="tenant" type="text" autocomplete="organization" placeholder="optional, e.g. sandbox" value="${props.tenantSlug ?? ''}">
<button type="submit">Sign in</button>
</form>
${sso}
<form method="get" action="${action}/abort"><button class="secondary" type="submit">Cancel</button></form>`,
  );
}

/** A tenant the signed-in user can pick. */
export interface TenantChoice {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly role: string;
}

/** What the consent page shows. */
export interface ConsentPageProps {
  readonly uid: string;
  readonly basePath: string;
  readonly clientName: string;
  /** First-party clients are not asked for consent, only (when needed) for the tenant. */
  readonly firstParty: boolean;
  readonly tenants: readonly TenantChoice[];
  readonly selectedTenantId?: string;
  /** Scopes the client asks for, shown to the user for third-party clients. */
  readonly scopes: readonly string[];
  readonly error?: string;
}

/** The tenant choice and (for third-party clients) consent page. */
export function consentPage(props: ConsentPageProps): string {
  const action = `${props.basePath}/interaction/${encodeURIComponent(props.uid)}`;
  const options = props.tenants.map(
    (t) =>
      html`<option value="${t.id}"${safe(t.id === props.selectedTenantId ? ' selected' : '')}>${t.name} (${t.slug}, ${t.role})</option>`,
  );
  const scopes = props.firstParty
    ? safe('')
    : html`<p><strong>${props.clientName}</strong> asks to:</p><ul>${props.scopes.map((s) => html`<li>${s}</li>`)}</ul>`;
  return page(
    props.firstParty ? 'Choose a publication' : 'Allow access?',
    html`${errorBlock(props.error)}${scopes}
<form method="post" action="${action}/confirm">
<label for="tenant_id">Publication (tenant)</label>
<select id="tenant_id" name="tenant_id" required>${options}</select>
<button type="submit" name="decision" value="allow">${props.firstParty ? 'Continue' : 'Allow'}</button>
</form>
<form method="get" action="${action}/abort"><button class="secondary" type="submit">${props.firstParty ? 'Cancel' : 'Deny'}</button></form>`,
  );
}

/** A page explaining why the interaction cannot go on. */
export function interactionErrorPage(message: string): string {
  return page(
    'Sign-in problem',
    html`${errorBlock(message)}<p class="muted">Return to the application and try again.</p>`,
  );
}
