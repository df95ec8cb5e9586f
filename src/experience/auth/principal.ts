/**
 * Who is calling: the identity a verified access token (or web session) carries. Routes and policies read it;
 * only the auth layer creates it.
 */
import type { MemberRole } from '../../data/store/schema.ts';

/** A verified caller. */
export interface Principal {
  /** A person (`user`) or a machine identity (`service`). */
  readonly kind: 'user' | 'service';
  /** User id or service account id (the token's `sub`). */
  readonly subject: string;
  /** Tenant the token was issued for (`tid` claim). */
  readonly tenantId: string;
  /** Role within that tenant at issuance. */
  readonly role: MemberRole;
  /** OAuth scopes granted. */
  readonly scopes: readonly string[];
  /** The access token's `jti`, for the deny-list. */
  readonly tokenId: string;
  /** The grant the token belongs to, when known (revoking a grant denies its tokens). */
  readonly grantId?: string;
  /** The session the token belongs to, when known (logout denies its tokens). */
  readonly sessionId?: string;
  /** Token expiry, epoch seconds. */
  readonly expiresAt: number;
}
