import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import { domainEvent } from '../../../core/domain/domain-event';
import type { EventBus } from '../../../core/infrastructure/events/event-bus';
import type { Principal } from '../../../core/http/principal';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import { LastAdminError, MemberNotFoundError, PermissionService } from '../../role/role.public';
import type { MemberRemoved } from '../domain/events';
import type { TenantMembers, WorkspaceDirectory } from '../domain/ports';
import { TENANT_MEMBERS, WORKSPACE_DIRECTORY } from './tokens';
import { WorkspaceAccessCache } from './workspace-access.service';

/** Runs in the tenant scope. Holders of members.remove remove anyone; anyone may leave; the last admin stays. */
@Service()
export class RemoveMember {
  constructor(
    @Inject(WORKSPACE_DIRECTORY) private readonly directory: WorkspaceDirectory,
    @Inject(TENANT_MEMBERS) private readonly members: TenantMembers,
    @Inject(TOKENS.eventBus) private readonly events: EventBus,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    private readonly permissions: PermissionService,
    private readonly access: WorkspaceAccessCache,
  ) {}

  async execute(input: { workspaceId: string; userId: string; principal: Principal }): Promise<void> {
    const removedBy = input.principal.userId;
    if (input.userId !== removedBy) await this.permissions.require(input.principal, 'members.remove');
    if (!(await this.members.isMember(input.userId))) throw new MemberNotFoundError();
    const roles = await this.members.rolesOf(input.userId);
    if (roles.includes('admin') && (await this.members.countAdmins()) <= 1) throw new LastAdminError();
    await this.members.remove(input.userId);
    await this.directory.removeMembership(input.workspaceId, input.userId);
    await this.audit.record({ action: 'member.removed', targetType: 'user', targetId: input.userId });
    // The removed user's next request is refused on every instance sharing the cache.
    await this.access.forget(input.workspaceId, [input.userId]);
    await this.permissions.invalidate(input.workspaceId);
    await this.events.publish<MemberRemoved>(
      domainEvent('MemberRemoved', { workspaceId: input.workspaceId, userId: input.userId, by: removedBy }),
    );
  }
}
