// What other modules may use of the role context.
export { PermissionDeniedError, PermissionService } from './application/permission.service';
export { grantsOf, isPermission, type Permission, type WorkspacePermission } from './domain/permissions';
export { LastAdminError, MemberNotFoundError } from './domain/role';
export { GrantGlobalRole } from './application/grant-global-role.use-case';
export { PLATFORM_ADMIN_ROLE } from './domain/permissions';
export type { MemberRolesChanged, RoleChanged } from './domain/events';
