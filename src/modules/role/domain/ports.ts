import type { Role } from './role';

/** Reads granted permissions; workspace grants come from the current tenant scope. */
export interface PermissionReader {
  /** Permissions of the member's roles in the current tenant (admin: all of them). */
  workspacePermissions(userId: string): Promise<string[]>;
  /** Permissions of the user's global (platform) roles. */
  globalPermissions(userId: string): Promise<string[]>;
  /** What these roles of the current tenant grant together (admin: all of them; unknown ids: nothing). */
  rolePermissions(roleIds: string[]): Promise<string[]>;
}

/** Global (platform) roles held by users, in the public schema. */
export interface GlobalRoleStore {
  /** Gives the role; false when the user already held it. Throws when the role does not exist. */
  grant(userId: string, roleName: string): Promise<boolean>;
}

export interface RoleSummary {
  id: string;
  name: string;
  description: string;
  isSystem: boolean;
  permissions: string[];
  memberCount: number;
}

/** Roles of the current tenant. */
export interface RoleRepository {
  list(): Promise<RoleSummary[]>;
  findById(id: string): Promise<Role | null>;
  findByNames(names: string[]): Promise<Role[]>;
  /** Throws RoleNameTakenError on a duplicate name. */
  create(role: Role): Promise<void>;
  save(role: Role): Promise<void>;
  delete(roleId: string): Promise<void>;
  countHolders(roleId: string): Promise<number>;
  moveHolders(fromRoleId: string, toRoleId: string): Promise<void>;
  memberRoleNames(userId: string): Promise<string[]>;
  isMember(userId: string): Promise<boolean>;
  setMemberRoles(userId: string, roleIds: string[]): Promise<void>;
  /** Members holding admin, if userId's roles were replaced by the given ones. */
  adminsAfter(userId: string, roleIds: string[]): Promise<number>;
}

export interface AuditQuery {
  actorId?: string;
  action?: string;
  from?: Date;
  to?: Date;
  page: number;
  limit: number;
  /** Keyset: only events older than this position (then `page` is 1). */
  after?: AuditPosition | null;
}

/** Where an event sits in the trail: its time to the microsecond (ISO text) and its id. */
export interface AuditPosition {
  at: string;
  id: string;
}

export interface AuditEventView {
  id: string;
  at: Date;
  position: AuditPosition;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  requestId: string | null;
  metadata: Record<string, unknown>;
}

/** The current tenant's audit trail. */
export interface TenantAuditReader {
  list(query: AuditQuery): Promise<{ items: AuditEventView[]; total: number }>;
}
