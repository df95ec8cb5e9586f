/**
 * Creates a user (a person who can sign in). Users are global; memberships join them to tenants. The email is
 * normalised to lower case and must be unique. Records `user.created` under the tenant that invited them.
 */
import type { Kysely } from 'kysely';
import { appendEvent } from '../../data/events/eventLog.ts';
import type { Database, UsersTable } from '../../data/store/schema.ts';
import { inTransaction } from '../../data/store/transaction.ts';
import { hashPassword } from '../../experience/auth/passwordHash.ts';
import { GalleyError } from '../../experience/errors/errors.ts';
import { newId } from './ids.ts';

// Deliberately permissive (RFC 5322 is wider still); verification mail is the real check.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** Shortest password accepted (NIST SP 800-63B asks for at least 8). */
export const MIN_PASSWORD_LENGTH = 12;

/** Input of createUser. */
export interface UserCreatorProps {
  /** The store, or a transaction to join. */
  readonly db: Kysely<Database>;
  /** Tenant in whose log the creation is recorded. */
  readonly tenantId: string;
  readonly email: string;
  readonly name: string;
  /** Plain-text password to hash with argon2id; omit for SSO-only users. */
  readonly password?: string;
  /** True when the email is already proven (seeded owner, SSO with verified email). */
  readonly emailVerified?: boolean;
  /** Who creates it. */
  readonly actor: string;
}

/** Creates the user; GALLEY_VALIDATION_FAILED for bad input, GALLEY_CONFLICT when the email is taken. */
export async function createUser(props: UserCreatorProps): Promise<UsersTable> {
  const email = props.email.trim().toLowerCase();
  if (!EMAIL.test(email) || email.length > 320) {
    throw new GalleyError('GALLEY_VALIDATION_FAILED', 'email address is not valid', {
      errors: [{ field: '/email', message: 'must be an email address' }],
    });
  }
  if (props.password !== undefined && props.password.length < MIN_PASSWORD_LENGTH) {
    throw new GalleyError('GALLEY_VALIDATION_FAILED', `password must be at least ${MIN_PASSWORD_LENGTH} characters`, {
      errors: [{ field: '/password', message: `must be at least ${MIN_PASSWORD_LENGTH} characters` }],
    });
  }
  // Hash outside the transaction: argon2 takes tens of milliseconds and must not hold the write lock.
  const passwordHash = props.password === undefined ? null : await hashPassword(props.password);
  return inTransaction(props.db, async (trx) => {
    const taken = await trx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
    if (taken !== undefined) throw new GalleyError('GALLEY_CONFLICT', 'a user with this email already exists');
    const user: UsersTable = {
      id: newId(),
      email,
      name: props.name.trim() || email,
      password_hash: passwordHash,
      email_verified: props.emailVerified === true ? 1 : 0,
      created_at: new Date().toISOString(),
    };
    await trx.insertInto('users').values(user).execute();
    await appendEvent(trx, {
      tenantId: props.tenantId,
      name: 'user.created',
      subjectId: user.id,
      actor: props.actor,
      data: { email: user.email },
    });
    return user;
  });
}
