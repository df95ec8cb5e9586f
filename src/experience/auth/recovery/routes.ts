/**
 * Account recovery over HTTP: `POST /auth/password/forgot` (202 `{ status: 'accepted' }`, always), `POST /auth/password/reset` (204, or
 * 400 GALLEY_TOKEN_INVALID) and `POST /auth/email/verify` (204, or 400 GALLEY_TOKEN_INVALID).
 *
 * The forgot route answers 202 before the reset use case runs, so neither status nor latency says whether the
 * address has an account; the mail goes out in the background, and the plugin waits for in-flight sends when the
 * app closes. Requests per client IP are capped (429) so the form cannot be scripted at volume.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Config } from '../../../config/config.ts';
import { openMailer } from '../../../data/mail/openMailer.ts';
import type { ApiContext } from '../../api/index.ts';
import { GalleyError } from '../../errors/errors.ts';
import { problemResponse } from '../../http/problem.ts';
import { ipKey } from '../password/lockout.ts';
import { verifyEmail } from './emailVerifier.ts';
import { requestPasswordReset } from './passwordResetRequester.ts';
import { resetPassword } from './passwordResetter.ts';
import { ForgotAccepted, ForgotPasswordBody, NoContent, ResetPasswordBody, VerifyEmailBody } from './schemas.ts';

/** Forgot-password requests allowed per client IP per minute. */
export const FORGOT_PER_IP_PER_MINUTE = 10;

/** The page the reset mail links to (with `?token=…`); the web editor serves it and posts to the reset route. */
export function passwordResetPageUrl(config: Pick<Config, 'publicUrl'>): string {
  return `${config.publicUrl}/account/reset-password`;
}

/** The page the verification mail links to (with `?token=…`); it posts to the verify route. */
export function emailVerificationPageUrl(config: Pick<Config, 'publicUrl'>): string {
  return `${config.publicUrl}/account/verify-email`;
}

/** Registers the account-recovery routes. */
export const accountRecoveryRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, options) => {
  const { config, plane } = options;
  const mailer = openMailer(config, plane.store);
  const inFlight = new Set<Promise<void>>();
  app.addHook('onClose', async () => {
    await Promise.allSettled([...inFlight]);
    await mailer.close();
  });

  app.post(
    '/auth/password/forgot',
    {
      schema: {
        tags: ['auth'],
        summary: 'Mail a password reset link (always 202: never reveals whether the account exists)',
        body: ForgotPasswordBody,
        response: {
          202: ForgotAccepted,
          429: problemResponse('Too many requests from this address (GALLEY_RATE_LIMITED)'),
        },
      },
    },
    async (request, reply) => {
      const slot = await plane.kv.incrementWithLimit(
        `auth:forgot:ip:${ipKey(request.ip)}`,
        1,
        FORGOT_PER_IP_PER_MINUTE,
        {
          ttlMs: 60_000,
        },
      );
      if (!slot.ok) throw new GalleyError('GALLEY_RATE_LIMITED', 'too many reset requests', { retryAfterSeconds: 60 });
      const work = requestPasswordReset({
        store: plane.store,
        kv: plane.kv,
        mailer,
        email: request.body.email,
        resetUrlBase: passwordResetPageUrl(config),
      }).then(
        () => undefined,
        (error: unknown) => request.log.error({ err: error }, 'password reset request failed'),
      );
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
      return reply.code(202).send({ status: 'accepted' as const });
    },
  );

  app.post(
    '/auth/password/reset',
    {
      schema: {
        tags: ['auth'],
        summary: 'Set a new password with a reset token',
        body: ResetPasswordBody,
        response: {
          204: NoContent,
          400: problemResponse('Invalid, expired or used token (GALLEY_TOKEN_INVALID), or a bad password'),
        },
      },
    },
    async (request, reply) => {
      await resetPassword({ store: plane.store, token: request.body.token, newPassword: request.body.password });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/auth/email/verify',
    {
      schema: {
        tags: ['auth'],
        summary: 'Confirm an email address with a verification token',
        body: VerifyEmailBody,
        response: { 204: NoContent, 400: problemResponse('Invalid, expired or used token (GALLEY_TOKEN_INVALID)') },
      },
    },
    async (request, reply) => {
      await verifyEmail({ store: plane.store, token: request.body.token });
      return reply.code(204).send(null);
    },
  );
};
