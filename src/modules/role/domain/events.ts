import type { DomainEvent } from '../../../core/domain/domain-event';

export type RoleChange = 'created' | 'updated' | 'permissions' | 'deleted';

/** A workspace role, or what it grants, changed. */
export type RoleChanged = DomainEvent<'RoleChanged', { workspaceId: string; roleId: string; change: RoleChange }>;
/** A member's roles were replaced. */
export type MemberRolesChanged = DomainEvent<
  'MemberRolesChanged',
  { workspaceId: string; userId: string; roles: string[]; by: string }
>;
