/** TypeBox schemas of the SSO routes; types are inferred from them. */
import { Type } from 'typebox';

/** `/auth/sso/:tenant/:provider/start` path parameters. */
export const SsoStartParams = Type.Object({
  tenant: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$', description: 'Tenant slug' }),
  provider: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$', description: 'SSO provider id' }),
});

/** `/auth/sso/:tenant/:provider/start` query. */
export const SsoStartQuery = Type.Object({
  interaction: Type.String({
    pattern: '^[A-Za-z0-9_-]{1,128}$',
    description: 'Uid of the Galley authorization interaction the sign-in finishes',
  }),
});

/**
 * `/auth/sso/callback` query: the upstream's authorization response. Only `state` is read here; the whole
 * response (code, iss, error …) is validated by openid-client from the raw URL.
 */
export const SsoCallbackQuery = Type.Object(
  { state: Type.Optional(Type.String({ maxLength: 512 })) },
  { additionalProperties: true },
);
