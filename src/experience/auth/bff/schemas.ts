/** TypeBox schemas of `GET /api/v1/me` and the BFF's JSON routes; their types are inferred from these. */
import { type Static, Type } from 'typebox';
import { MEMBER_ROLES } from '../../../data/store/schema.ts';

/** The authenticated caller, presented. */
export const MeSchema = Type.Object(
  {
    kind: Type.Union([Type.Literal('user'), Type.Literal('service')]),
    subject: Type.String({ description: 'User id or service account id (the token subject)' }),
    user: Type.Optional(Type.Object({ id: Type.String(), email: Type.String(), name: Type.String() })),
    serviceAccount: Type.Optional(Type.Object({ id: Type.String(), name: Type.String() })),
    tenant: Type.Object({ id: Type.String(), slug: Type.String(), name: Type.String() }),
    role: Type.Enum(MEMBER_ROLES),
    scopes: Type.Array(Type.String()),
    expiresAt: Type.String({ description: 'When the access token expires (ISO-8601); the BFF refreshes it' }),
  },
  { description: 'The caller the presented access token stands for' },
);

/** `GET /api/v1/me` body. */
export type Me = Static<typeof MeSchema>;

/** `GET /bff/session` body: who the web session is, never its tokens. */
export const BffSessionSchema = Type.Object({
  ...MeSchema.properties,
  csrfToken: Type.String({ description: 'Send it as X-CSRF-Token on POST/PUT/PATCH/DELETE under /bff' }),
});

/** `POST /bff/logout` body. */
export const BffLogoutSchema = Type.Object({
  endSessionUrl: Type.String({
    description: 'Navigate the browser here to end the sign-in session at the authorization server too',
  }),
});

/** `GET /bff/login` query. */
export const BffLoginQuery = Type.Object({
  tenant: Type.Optional(Type.String({ maxLength: 63, description: 'Tenant slug to sign in to' })),
  returnTo: Type.Optional(Type.String({ maxLength: 2048, description: 'Same-origin path to return to (default /)' })),
});
