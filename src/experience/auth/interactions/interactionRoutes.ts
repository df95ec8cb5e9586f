/**
 * Galley's login and consent screens for the authorization server, at `<issuer path>/interaction/:uid` (the
 * path oidc-provider's interaction cookie is scoped to, which is also what keeps cross-site posts out: the
 * cookie is SameSite=Lax and signed).
 *
 * - GET  …/:uid          the pending prompt: the login page, or the consent step (auto-approved for first-party
 *                        clients once the tenant is known; otherwise a tenant choice / consent page).
 * - POST …/:uid/login    email + password (+ tenant slug) → authenticatePassword → membership check.
 * - POST …/:uid/confirm  tenant choice / consent decision.
 * - GET  …/:uid/abort    the user cancelled: access_denied back to the client.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errors, type Interaction } from 'oidc-provider';
import type { Store } from '../../../data/store/port.ts';
import type { GalleyMetrics } from '../../../ops/metrics/registry.ts';
import type { GalleyOidc } from '../oidc/oidcProvider.ts';
import { FIRST_PARTY_CLIENTS } from '../oidc/staticClients.ts';
import { authenticatePassword } from '../password/passwordLogin.ts';
import { GALLEY_API_AUDIENCE, issuerOf } from '../tokenContract.ts';
import { approveConsent, resolveTenant } from './consent.ts';
import { PAGE_HEADERS } from './html.ts';
import { checkLogin } from './loginCheck.ts';
import { consentPage, interactionErrorPage, loginPage, type SsoProviderLink } from './pages.ts';

/** What an SSO providers hook is told besides the tenant slug. */
export interface SsoProvidersContext {
  /** The interaction the login page belongs to; the SSO start link must carry it back (`interaction=<uid>`). */
  readonly interactionUid: string;
  readonly store: Store;
  readonly publicUrl: string;
}

/**
 * Lists a tenant's upstream identity providers for the login page (wired by the SSO module). A `startUrl`
 * without an `interaction` query parameter gets `interaction=<uid>` appended.
 */
export type SsoProvidersHook = (
  tenantSlug: string,
  context: SsoProvidersContext,
) => Promise<readonly SsoProviderLink[]>;

/** What the interaction routes need. */
export interface InteractionRoutesOptions {
  /** The authorization server (started on first use). */
  readonly oidc: () => Promise<GalleyOidc>;
  readonly publicUrl: string;
  readonly metrics?: GalleyMetrics;
  readonly ssoProviders?: SsoProvidersHook;
}

type Params = { uid: string };
type Form = Record<string, string | string[] | undefined>;

function field(form: unknown, name: string): string {
  const value = (form as Form | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

function sendPage(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).headers(PAGE_HEADERS).type('text/html; charset=utf-8').send(body);
}

/** The steps of an interaction, on one running server. */
function interactionSteps(oidc: GalleyOidc, options: InteractionRoutesOptions, basePath: string) {
  const audience = GALLEY_API_AUDIENCE({ publicUrl: options.publicUrl });
  /** The interaction of the request, or undefined after sending the error page. */
  const load = async (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
    try {
      const interaction = await oidc.provider().interactionDetails(request.raw, reply.raw);
      if (interaction.uid === request.params.uid) return interaction;
    } catch (error) {
      if (!(error instanceof errors.OIDCProviderError)) throw error;
    }
    sendPage(reply, 400, interactionErrorPage('This sign-in request has expired or was already used.'));
    return undefined;
  };
  const clientName = async (interaction: Interaction) => {
    const id = interaction.params.client_id;
    const client = typeof id === 'string' ? await oidc.provider().Client.find(id) : undefined;
    return client?.clientName ?? client?.clientId ?? 'an application';
  };
  const finish = async (
    request: FastifyRequest,
    reply: FastifyReply,
    result: Parameters<ReturnType<GalleyOidc['provider']>['interactionResult']>[2],
  ) => {
    const returnTo = await oidc.provider().interactionResult(request.raw, reply.raw, result);
    return reply.header('cache-control', 'no-store').redirect(returnTo, 303);
  };
  const renderLogin = async (interaction: Interaction, extra: { email?: string; slug?: string; error?: string }) => {
    const slug = extra.slug ?? (typeof interaction.params.tenant === 'string' ? interaction.params.tenant : '');
    const context = { interactionUid: interaction.uid, store: oidc.store, publicUrl: options.publicUrl };
    const sso = slug !== '' && options.ssoProviders !== undefined ? await options.ssoProviders(slug, context) : [];
    return loginPage({
      uid: interaction.uid,
      basePath,
      clientName: await clientName(interaction),
      ...(extra.email === undefined ? {} : { email: extra.email }),
      ...(slug === '' ? {} : { tenantSlug: slug }),
      ...(extra.error === undefined ? {} : { error: extra.error }),
      sso,
    });
  };

  /** The consent step: approve directly when possible, else the tenant choice / consent page. */
  const consent = async (
    request: FastifyRequest,
    reply: FastifyReply,
    interaction: Interaction,
    chosenTenantId: string | undefined,
  ) => {
    const accountId = interaction.session?.accountId;
    if (accountId === undefined) return sendPage(reply, 400, interactionErrorPage('You are not signed in.'));
    const clientId = String(interaction.params.client_id ?? '');
    const firstParty = FIRST_PARTY_CLIENTS.has(clientId);
    const resolution = await resolveTenant(oidc.store, oidc.bindings, interaction, accountId);
    const chosen =
      chosenTenantId === undefined ? undefined : resolution.memberships.find((m) => m.id === chosenTenantId);
    if (chosenTenantId !== undefined && chosen === undefined) {
      return sendPage(reply, 403, interactionErrorPage('You are not a member of that publication.'));
    }
    if (resolution.kind === 'not_member' && chosen === undefined) {
      return sendPage(
        reply,
        403,
        interactionErrorPage(`You are not a member of the publication "${resolution.slug}".`),
      );
    }
    if (resolution.memberships.length === 0) {
      return sendPage(reply, 403, interactionErrorPage('Your account does not belong to any publication yet.'));
    }
    const tenant = chosen ?? (resolution.kind === 'resolved' ? resolution.tenant : undefined);
    if (tenant !== undefined && (firstParty || chosen !== undefined)) {
      const grantId = await approveConsent({
        provider: oidc.provider(),
        bindings: oidc.bindings,
        interaction,
        accountId,
        tenantId: tenant.id,
        audience,
      });
      return finish(request, reply, { consent: { grantId } });
    }
    return sendPage(
      reply,
      200,
      consentPage({
        uid: interaction.uid,
        basePath,
        clientName: await clientName(interaction),
        firstParty,
        tenants: resolution.memberships,
        ...(tenant === undefined ? {} : { selectedTenantId: tenant.id }),
        scopes: String(interaction.params.scope ?? '')
          .split(' ')
          .filter((s) => s !== ''),
      }),
    );
  };

  return { load, renderLogin, finish, consent, oidc };
}

/** Registers the interaction routes on an instance whose form bodies parse to objects. */
export function registerInteractionRoutes(app: FastifyInstance, options: InteractionRoutesOptions): void {
  const basePath = new URL(issuerOf({ publicUrl: options.publicUrl })).pathname;
  const hide = { schema: { hide: true } };
  const steps = async () => interactionSteps(await options.oidc(), options, basePath);

  app.get<{ Params: Params }>(`${basePath}/interaction/:uid`, hide, async (request, reply) => {
    const { load, renderLogin, consent } = await steps();
    const interaction = await load(request, reply);
    if (interaction === undefined) return reply;
    if (interaction.prompt.name === 'login') return sendPage(reply, 200, await renderLogin(interaction, {}));
    if (interaction.prompt.name === 'consent') return consent(request, reply, interaction, undefined);
    return sendPage(reply, 400, interactionErrorPage('This sign-in step is not supported.'));
  });

  app.post<{ Params: Params }>(`${basePath}/interaction/:uid/login`, hide, async (request, reply) => {
    const { load, renderLogin, finish, oidc } = await steps();
    const interaction = await load(request, reply);
    if (interaction === undefined) return reply;
    if (interaction.prompt.name !== 'login') return reply.redirect(`${basePath}/interaction/${interaction.uid}`, 303);
    const email = field(request.body, 'email');
    const slug = field(request.body, 'tenant').trim();
    const outcome = await checkLogin({
      store: oidc.store,
      kv: oidc.kv,
      ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
      authenticate: authenticatePassword,
      email,
      password: field(request.body, 'password'),
      tenantSlug: slug,
      ip: request.ip,
    });
    if (!outcome.ok) {
      if (outcome.retryAfterSeconds !== undefined) reply.header('retry-after', String(outcome.retryAfterSeconds));
      return sendPage(reply, outcome.status, await renderLogin(interaction, { email, slug, error: outcome.message }));
    }
    return finish(request, reply, {
      login: { accountId: outcome.userId, amr: ['pwd'] },
      galley: outcome.tenantId === undefined ? {} : { tenantId: outcome.tenantId },
    });
  });

  app.post<{ Params: Params }>(`${basePath}/interaction/:uid/confirm`, hide, async (request, reply) => {
    const { load, consent } = await steps();
    const interaction = await load(request, reply);
    if (interaction === undefined) return reply;
    if (interaction.prompt.name !== 'consent') return reply.redirect(`${basePath}/interaction/${interaction.uid}`, 303);
    const tenantId = field(request.body, 'tenant_id');
    return consent(request, reply, interaction, tenantId === '' ? undefined : tenantId);
  });

  app.get<{ Params: Params }>(`${basePath}/interaction/:uid/abort`, hide, async (request, reply) => {
    const { load, finish } = await steps();
    const interaction = await load(request, reply);
    if (interaction === undefined) return reply;
    return finish(request, reply, { error: 'access_denied', error_description: 'End-User aborted interaction' });
  });
}
