import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import { domainEvent } from '../../../core/domain/domain-event';
import { SchemaName } from '../../../core/domain/schema-name';
import type { TransactionRunner } from '../../../core/infrastructure/database/unit-of-work';
import type { EventBus } from '../../../core/infrastructure/events/event-bus';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import { RoleNotFoundError, WorkspaceNotFoundError } from '../domain/errors';
import type { MemberJoined } from '../domain/events';
import type { TenantMembers, WorkspaceDirectory } from '../domain/ports';
import { TENANT_MEMBERS, WORKSPACE_DIRECTORY } from './tokens';
import { WorkspaceAccessCache } from './workspace-access.service';

/**
 * A user joins without an invitation, because another context vouches for them (single sign-on
 * from a verified domain: just-in-time provisioning). A member already is one: nothing changes.
 * Tenant member and directory entry are written together, in the caller's transaction if any.
 */
@Service()
export class JoinWorkspace {
  constructor(
    @Inject(WORKSPACE_DIRECTORY) private readonly directory: WorkspaceDirectory,
    @Inject(TENANT_MEMBERS) private readonly members: TenantMembers,
    @Inject(TOKENS.transactions) private readonly tx: TransactionRunner,
    @Inject(TOKENS.eventBus) private readonly events: EventBus,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    private readonly access: WorkspaceAccessCache,
  ) {}

  /** Returns whether the user joined now. */
  async execute(input: { workspaceId: string; userId: string; role: string; via: string }): Promise<boolean> {
    const workspace = await this.directory.findById(input.workspaceId);
    if (!workspace || !workspace.isActive) throw new WorkspaceNotFoundError();
    const joined = await this.tx.runInTenant(SchemaName.parse(workspace.schemaName.value), async () => {
      if (await this.members.isMember(input.userId)) return false;
      if (!(await this.members.roleExists(input.role))) throw new RoleNotFoundError();
      await this.members.add(input.userId, input.role);
      await this.directory.addMembership(workspace.id, input.userId);
      await this.audit.record({
        action: 'member.joined',
        actorId: input.userId,
        targetType: 'user',
        targetId: input.userId,
        metadata: { via: input.via, role: input.role },
      });
      await this.events.publish<MemberJoined>(
        domainEvent('MemberJoined', { workspaceId: workspace.id, userId: input.userId }),
      );
      return true;
    });
    if (joined) await this.access.forget(workspace.id, [input.userId]);
    return joined;
  }
}
