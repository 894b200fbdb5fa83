import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import { domainEvent } from '../../../core/domain/domain-event';
import type { EventBus } from '../../../core/infrastructure/events/event-bus';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import { LastAdminError, MemberNotFoundError } from '../domain/errors';
import type { MemberRemoved } from '../domain/events';
import type { TenantMembers, WorkspaceDirectory } from '../domain/ports';
import { RequireWorkspaceAdmin } from './require-admin.service';
import { TENANT_MEMBERS, WORKSPACE_DIRECTORY } from './tokens';
import { WorkspaceAccessCache } from './workspace-access.service';

/** Runs in the tenant scope. Admins remove anyone; anyone may leave; the last admin stays. */
@Service()
export class RemoveMember {
  constructor(
    @Inject(WORKSPACE_DIRECTORY) private readonly directory: WorkspaceDirectory,
    @Inject(TENANT_MEMBERS) private readonly members: TenantMembers,
    @Inject(TOKENS.eventBus) private readonly events: EventBus,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    private readonly admin: RequireWorkspaceAdmin,
    private readonly access: WorkspaceAccessCache,
  ) {}

  async execute(input: { workspaceId: string; userId: string; removedBy: string }): Promise<void> {
    if (input.userId !== input.removedBy) await this.admin.check(input.removedBy);
    if (!(await this.members.isMember(input.userId))) throw new MemberNotFoundError();
    const roles = await this.members.rolesOf(input.userId);
    if (roles.includes('admin') && (await this.members.countAdmins()) <= 1) throw new LastAdminError();
    await this.members.remove(input.userId);
    await this.directory.removeMembership(input.workspaceId, input.userId);
    await this.audit.record({ action: 'member.removed', targetType: 'user', targetId: input.userId });
    // The removed user's next request is refused on every instance sharing the cache.
    await this.access.forget(input.workspaceId, [input.userId]);
    await this.events.publish<MemberRemoved>(
      domainEvent('MemberRemoved', { workspaceId: input.workspaceId, userId: input.userId, by: input.removedBy }),
    );
  }
}
