/**
 * The permission catalogue, defined once: `resource.action` codes. Migrations sync it to
 * public.permissions; routes declare one of these; roles grant them.
 */
export const WORKSPACE_PERMISSIONS = {
  'users.create': 'Create users in the workspace',
  'users.read': 'See the workspace members as users',
  'users.update': 'Change members’ profiles',
  'users.delete': 'Delete users',
  'workspaces.manage': 'Rename, configure or delete the workspace',
  'members.read': 'List members and their roles',
  'members.invite': 'Invite people',
  'members.remove': 'Remove members',
  'roles.read': 'See roles and their permissions',
  'roles.manage': 'Create, change and delete custom roles',
  'roles.assign': 'Give members roles',
  'audit.read': 'Read the workspace audit trail',
  'notifications.read': 'Read your notifications',
  'webhooks.manage': 'Create, change and delete webhook endpoints; read and retry their deliveries',
  'apikeys.manage': 'Create, list and revoke the workspace API keys',
  'sso.manage': 'Configure single sign-on and verify email domains',
} as const;

export const PLATFORM_PERMISSIONS = {
  'platform.users.manage': 'Manage every user account (status, deletion)',
  'platform.workspaces.manage': 'Manage every workspace',
  'platform.audit.read': 'Read and export the platform audit log',
} as const;

export type WorkspacePermission = keyof typeof WORKSPACE_PERMISSIONS;
export type PlatformPermission = keyof typeof PLATFORM_PERMISSIONS;
export type Permission = WorkspacePermission | PlatformPermission;

export const ALL_WORKSPACE_PERMISSIONS = Object.keys(WORKSPACE_PERMISSIONS) as WorkspacePermission[];

/** What the seeded system roles of every workspace hold. `admin` always holds everything. */
export const SYSTEM_ROLE_PERMISSIONS: Record<'admin' | 'member' | 'viewer', readonly WorkspacePermission[]> = {
  admin: ALL_WORKSPACE_PERMISSIONS,
  member: ['users.read', 'members.read', 'members.invite', 'roles.read', 'notifications.read'],
  viewer: ['users.read', 'members.read', 'roles.read', 'notifications.read'],
};

export const PLATFORM_ADMIN_ROLE = 'platform_admin';

/**
 * What a workspace role grants. The admin role is the whole catalogue, whatever is stored, so a
 * permission added in a later release needs no data migration for it. The one place this rule lives.
 */
export function grantsOf(roleName: string, stored: readonly string[]): string[] {
  return roleName === 'admin' ? [...ALL_WORKSPACE_PERMISSIONS] : [...stored];
}

export function isPermission(code: string): code is Permission {
  return code in WORKSPACE_PERMISSIONS || code in PLATFORM_PERMISSIONS;
}

export function isPlatformPermission(code: string): code is PlatformPermission {
  return code in PLATFORM_PERMISSIONS;
}
