/**
 * Completes the login step of an authorization-server interaction from outside the login page — the upstream
 * SSO callback calls it once it has a Galley user and tenant. It does what oidc-provider's `interactionResult`
 * does (store the result on the interaction, keep its expiry) but finds the interaction by uid instead of by
 * the interaction cookie, whose path is the interaction page only. The caller must have bound the uid to the
 * browser (the SSO state) — the uid is what the login page put in the SSO start link (`?interaction=<uid>`).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../../../data/store/port.ts';
import { GalleyError } from '../../errors/errors.ts';
import { roleIn } from '../oidc/accounts.ts';
import { createStoreAdapterFactory } from '../oidc/storeAdapter.ts';

/** Input of finishLoginInteraction. */
export interface FinishLoginProps {
  readonly store: Store;
  /** The interaction uid (the `interaction` query parameter of the SSO start link). */
  readonly uid: string;
  /** The Galley user id that signed in. */
  readonly accountId: string;
  /** The tenant the user signed in to; the user must be a member. */
  readonly tenantId: string;
  /** Authentication methods (RFC 8176), e.g. `['fed']` for federated sign-in. */
  readonly amr?: readonly string[];
  /** Authentication context class, when the upstream reported one. */
  readonly acr?: string;
}

/**
 * Records the login on the interaction and returns the URL to redirect the browser to (303) so the
 * authorization request resumes. GALLEY_AUTH_INTERACTION_EXPIRED when the interaction is gone or not at its
 * login step; GALLEY_AUTH_NOT_MEMBER when the user is not a member of the tenant.
 */
export async function finishLoginInteraction(props: FinishLoginProps): Promise<string> {
  const adapter = createStoreAdapterFactory({ store: props.store })('Interaction');
  const interaction = await adapter.find(props.uid);
  const prompt = interaction?.prompt as { name?: unknown } | undefined;
  const returnTo = interaction?.returnTo;
  if (interaction === undefined || prompt?.name !== 'login' || typeof returnTo !== 'string') {
    throw new GalleyError('GALLEY_AUTH_INTERACTION_EXPIRED', 'the sign-in request expired; start again');
  }
  if ((await roleIn(props.store, props.tenantId, props.accountId)) === undefined) {
    throw new GalleyError('GALLEY_AUTH_NOT_MEMBER', 'the account is not a member of this tenant');
  }
  const lastSubmission = (interaction.lastSubmission ?? {}) as Record<string, unknown>;
  interaction.result = {
    ...lastSubmission,
    login: {
      accountId: props.accountId,
      amr: [...(props.amr ?? ['fed'])],
      ...(props.acr === undefined ? {} : { acr: props.acr }),
    },
    galley: { tenantId: props.tenantId },
  };
  const nowS = Math.floor(Date.now() / 1000);
  const ttl = typeof interaction.exp === 'number' ? Math.max(1, interaction.exp - nowS) : 600;
  await adapter.upsert(props.uid, interaction, ttl);
  return returnTo;
}

/** Who signed in upstream, as the SSO callback reports it. */
export interface UpstreamSignIn {
  readonly accountId: string;
  readonly tenantId: string;
  /** The interaction uid the SSO start route received. */
  readonly interactionUid: string;
}

/**
 * The SSO callback's `onAuthenticated` hook: finishes the interaction (amr `fed`) and redirects the browser (303)
 * back into the authorization flow.
 */
export function finishLoginAndRedirect(store: Store) {
  return async (_request: FastifyRequest, reply: FastifyReply, signIn: UpstreamSignIn): Promise<void> => {
    const returnTo = await finishLoginInteraction({
      store,
      uid: signIn.interactionUid,
      accountId: signIn.accountId,
      tenantId: signIn.tenantId,
      amr: ['fed'],
    });
    await reply.header('cache-control', 'no-store').redirect(returnTo, 303);
  };
}
