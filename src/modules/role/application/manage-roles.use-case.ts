import { randomUUID } from 'node:crypto';
import { Inject, Service } from 'typedi';
import type { Principal } from '../../../core/http/principal';
import { z } from '../../../core/http/zod';
import { TOKENS } from '../../../core/bootstrap/tokens';
import { domainEvent } from '../../../core/domain/domain-event';
import type { EventBus } from '../../../core/infrastructure/events/event-bus';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import type { RoleChange, RoleChanged } from '../domain/events';
import type { RoleRepository, RoleSummary } from '../domain/ports';
import { Role, RoleInUseError, RoleMoveTargetError, RoleNotFoundError } from '../domain/role';
import { PermissionService } from './permission.service';
import { ROLE_REPOSITORY } from './tokens';

const roleName = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{1,39}$/, 'Use 2 to 40 of a-z, 0-9, _ and -, starting with a letter');
export const createRoleInput = z.strictObject({
  name: roleName,
  description: z.string().max(200).default(''),
  permissions: z.array(z.string().max(64)).max(50).default([]),
});
export const updateRoleInput = z.strictObject({
  name: roleName.optional(),
  description: z.string().max(200).optional(),
});
export const rolePermissionsInput = z.strictObject({ permissions: z.array(z.string().max(64)).max(50) });
export const deleteRoleQuery = z.strictObject({ moveTo: z.uuid().optional() });

const CHANGES: Record<string, RoleChange> = {
  'role.created': 'created',
  'role.updated': 'updated',
  'role.permissions_set': 'permissions',
  'role.deleted': 'deleted',
};

/**
 * Custom roles of the active workspace (runs in its tenant scope). Every change is audited and
 * bumps the workspace's permission version; nobody grants a permission they do not hold.
 */
@Service()
export class ManageRoles {
  constructor(
    @Inject(ROLE_REPOSITORY) private readonly roles: RoleRepository,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(TOKENS.eventBus) private readonly events: EventBus,
    private readonly permissions: PermissionService,
  ) {}

  list(): Promise<RoleSummary[]> {
    return this.roles.list();
  }

  async get(roleId: string): Promise<RoleSummary> {
    const found = (await this.roles.list()).find((r) => r.id === roleId);
    if (!found) throw new RoleNotFoundError();
    return found;
  }

  async create(principal: Principal, input: z.infer<typeof createRoleInput>): Promise<RoleSummary> {
    const role = Role.create({ id: randomUUID(), ...input });
    await this.permissions.requireAll(principal, role.permissions);
    await this.roles.create(role);
    await this.changed(principal, 'role.created', role.id, { name: role.name, permissions: role.permissions });
    return this.get(role.id);
  }

  async update(principal: Principal, roleId: string, input: z.infer<typeof updateRoleInput>): Promise<RoleSummary> {
    const role = await this.find(roleId);
    role.update(input);
    await this.roles.save(role);
    await this.changed(principal, 'role.updated', role.id, input);
    return this.get(role.id);
  }

  async setPermissions(principal: Principal, roleId: string, permissions: string[]): Promise<RoleSummary> {
    const role = await this.find(roleId);
    role.setPermissions(permissions);
    await this.permissions.requireAll(principal, role.permissions);
    await this.roles.save(role);
    await this.changed(principal, 'role.permissions_set', role.id, { permissions: role.permissions });
    return this.get(role.id);
  }

  async delete(principal: Principal, roleId: string, moveTo?: string): Promise<void> {
    const role = await this.find(roleId);
    role.assertDeletable();
    // Checked even when nobody holds the role: an id from another workspace must not reach the audit trail.
    const target = moveTo ? await this.find(moveTo) : null;
    if (target?.id === role.id) throw new RoleMoveTargetError();
    if ((await this.roles.countHolders(role.id)) > 0) {
      if (!target) throw new RoleInUseError();
      await this.permissions.requireAll(principal, target.permissions);
      await this.roles.moveHolders(role.id, target.id);
    }
    await this.roles.delete(role.id);
    await this.changed(principal, 'role.deleted', role.id, { name: role.name, movedTo: moveTo ?? null });
  }

  private async find(roleId: string): Promise<Role> {
    const role = await this.roles.findById(roleId);
    if (!role) throw new RoleNotFoundError();
    return role;
  }

  private async changed(principal: Principal, action: string, roleId: string, metadata: Record<string, unknown>) {
    await this.audit.record({ action, actorId: principal.userId, targetType: 'role', targetId: roleId, metadata });
    const { workspaceId } = principal;
    if (!workspaceId) return;
    await this.permissions.invalidate(workspaceId);
    const change = CHANGES[action]!;
    // Delivered once the request's transaction commits (the event bus waits for it).
    await this.events.publish<RoleChanged>(domainEvent('RoleChanged', { workspaceId, roleId, change }));
  }
}
