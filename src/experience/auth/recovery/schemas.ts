/** TypeBox schemas of the account-recovery routes; types are inferred from them. */
import { type Static, Type } from 'typebox';
import { MIN_PASSWORD_LENGTH } from '../../../content/identity/userCreator.ts';
import { MAX_PASSWORD_LENGTH } from './passwordResetter.ts';

// Tokens are 43 characters; the bound only keeps junk out of the database lookup.
const TokenSchema = Type.String({ minLength: 1, maxLength: 256, description: 'The token from the emailed link' });

/** `POST /auth/password/forgot` body. */
export const ForgotPasswordBody = Type.Object(
  { email: Type.String({ minLength: 3, maxLength: 320, description: 'The account email address' }) },
  { additionalProperties: false },
);

/** `POST /auth/password/reset` body. */
export const ResetPasswordBody = Type.Object(
  {
    token: TokenSchema,
    password: Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH }),
  },
  { additionalProperties: false },
);

/** `POST /auth/email/verify` body. */
export const VerifyEmailBody = Type.Object({ token: TokenSchema }, { additionalProperties: false });

/** An empty success response (204). */
export const NoContent = Type.Null({ description: 'No body' });

/** `POST /auth/password/forgot` 202 body: identical whether or not the address has an account. */
export const ForgotAccepted = Type.Object(
  { status: Type.Literal('accepted') },
  { description: 'If the address belongs to an account, a reset link is on its way' },
);

/** Forgot-password body. */
export type ForgotPasswordBodyType = Static<typeof ForgotPasswordBody>;
/** Reset body. */
export type ResetPasswordBodyType = Static<typeof ResetPasswordBody>;
/** Verify body. */
export type VerifyEmailBodyType = Static<typeof VerifyEmailBody>;
