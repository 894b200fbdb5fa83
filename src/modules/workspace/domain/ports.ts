import type { Page } from '../../../core/domain/page';
import type { Invitation } from './invitation';
import type { Workspace } from './workspace';

export interface WorkspaceAccess {
  workspaceId: string;
  schemaName: string;
  /** The database that holds the schema. */
  shard: string;
  /** Being moved to another database: writes wait (503) until the switch. */
  moving: boolean;
  /** The workspace setting `requireMfa`: members without a second factor are refused. */
  requireMfa: boolean;
}

/** public.workspaces and public.workspace_memberships: the tenant directory. */
export interface WorkspaceDirectory {
  /** Throws SlugTakenError when a live workspace has the slug. */
  create(workspace: Workspace): Promise<void>;
  save(workspace: Workspace): Promise<void>;
  findById(id: string): Promise<Workspace | null>;
  /** Live workspaces where the user is an active member, newest first. */
  listForMember(userId: string, page: { page: number; limit: number }): Promise<Page<Workspace>>;
  countOwnedBy(userId: string): Promise<number>;
  addMembership(workspaceId: string, userId: string): Promise<void>;
  removeMembership(workspaceId: string, userId: string): Promise<void>;
  /** The schema to route to, when the user is an active member of an active workspace. */
  findAccess(workspaceId: string, userId: string): Promise<WorkspaceAccess | null>;
  /** Where a new tenant goes: the database with the fewest live tenants. */
  placeNewTenant(): Promise<string>;
  /** Users with an active membership (to forget their cached access). */
  memberIds(workspaceId: string): Promise<string[]>;
  setLastWorkspace(userId: string, workspaceId: string): Promise<void>;
  findLastWorkspace(userId: string): Promise<string | null>;
}

export interface MemberRecord {
  userId: string;
  email: string;
  name: string;
  roles: string[];
  joinedAt: Date;
}

/** The current tenant's schema (repositories run inside the tenant scope). */
export interface TenantMembers {
  add(userId: string, roleName: string): Promise<void>;
  list(page: { page: number; limit: number }): Promise<Page<MemberRecord>>;
  rolesOf(userId: string): Promise<string[]>;
  isMember(userId: string): Promise<boolean>;
  remove(userId: string): Promise<void>;
  /** Members holding the admin role. */
  countAdmins(): Promise<number>;
  roleExists(name: string): Promise<boolean>;
  /** What a role grants (the admin role: the whole workspace catalogue). */
  rolePermissions(name: string): Promise<string[]>;
}

/** The current tenant's invitations. */
export interface TenantInvitations {
  /** Stores the invitation, withdrawing any pending one for the same email. */
  replacePending(invitation: Invitation): Promise<void>;
  findByHashForUpdate(tokenHash: string): Promise<Invitation | null>;
  save(invitation: Invitation): Promise<void>;
}

/** Creates a tenant schema inside the current tenant scope. */
export interface TenantProvisioner {
  /** The schema at the newest tenant version, with its seeded rows, and the version recorded. */
  provision(): Promise<void>;
}

export interface TenantRecord {
  id: string;
  name: string;
  slug: string;
  schemaName: string;
  /** The database that holds the schema. */
  shard: string;
  status: string;
  schemaVersion: string | null;
}

/** What the admin scripts do to tenant schemas, each tenant in its own transaction. */
export interface TenantSchemaAdmin {
  /** The newest tenant migration there is (null when there are none). */
  latestVersion(): Promise<string | null>;
  /** Every tenant whose schema exists, deleted ones included. */
  listTenants(): Promise<TenantRecord[]>;
  /** Applies pending migrations in one transaction and records the version; returns their names. */
  migrate(tenant: TenantRecord): Promise<string[]>;
  pending(tenant: TenantRecord): Promise<string[]>;
  /** DROP SCHEMA and delete the directory row (only for soft-deleted workspaces). */
  drop(tenant: TenantRecord): Promise<void>;
  /** tenant_* schemas with no directory row (never created by provisioning, which is atomic). */
  orphanSchemas(): Promise<string[]>;
  /** Runs work unless another run holds the same lock; returns false when it was held. */
  exclusively(lock: string, work: () => Promise<void>): Promise<boolean>;
}
