/**
 * Row types of the identity tables every plane shares (migration 0001). Timestamps are ISO-8601 strings on
 * both dialects (PostgreSQL columns are `timestamptz`, read back as text via the pg type parser set in the
 * adapter) so rows compare equal across backends.
 */
import type { Generated } from 'kysely';

/** Membership roles, most to least powerful. */
export const MEMBER_ROLES = ['owner', 'admin', 'editor', 'author', 'viewer'] as const;
/** One membership role. */
export type MemberRole = (typeof MEMBER_ROLES)[number];

/** A publication: the unit of isolation for every row that belongs to one. */
export interface TenantsTable {
  id: string;
  slug: string;
  name: string;
  created_at: string;
}

/** A person who can sign in; global, joined to tenants through memberships. */
export interface UsersTable {
  id: string;
  email: string;
  name: string;
  /** argon2id hash, or null for SSO-only users. */
  password_hash: string | null;
  email_verified: number;
  created_at: string;
}

/** A user's role within one tenant. */
export interface MembershipsTable {
  tenant_id: string;
  user_id: string;
  role: MemberRole;
  created_at: string;
}

/** A machine identity inside one tenant (CI imports, integrations). */
export interface ServiceAccountsTable {
  id: string;
  tenant_id: string;
  name: string;
  role: MemberRole;
  created_at: string;
}

/** Applied migrations (written by the migration runner). */
export interface GalleyMigrationsTable {
  id: string;
  checksum: string;
  applied_at: string;
  duration_ms: Generated<number>;
}

/** The identity schema shared by every plane. */
export interface Database {
  tenants: TenantsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  service_accounts: ServiceAccountsTable;
  galley_migrations: GalleyMigrationsTable;
}
