import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import { domainEvent } from '../../../core/domain/domain-event';
import { SchemaName } from '../../../core/domain/schema-name';
import type { TransactionRunner } from '../../../core/infrastructure/database/unit-of-work';
import type { EventBus } from '../../../core/infrastructure/events/event-bus';
import { z } from '../../../core/http/zod';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import { TOKEN_SERVICE, type TokenService } from '../../auth/auth.public';
import { USER_REPOSITORY, UserNotFoundError, type UserRepository } from '../../user/user.public';
import type { InvitationAccepted, MemberJoined } from '../domain/events';
import { InvitationInvalidError } from '../domain/invitation';
import type { TenantInvitations, TenantMembers, WorkspaceDirectory } from '../domain/ports';
import { TENANT_INVITATIONS, TENANT_MEMBERS, WORKSPACE_DIRECTORY } from './tokens';
import { WorkspaceAccessCache } from './workspace-access.service';

export const acceptInvitationInput = z.strictObject({ token: z.string().min(10).max(200) });

/** The signed-in user joins: tenant member with the invited role, and the directory entry, atomically. */
@Service()
export class AcceptInvitation {
  constructor(
    @Inject(WORKSPACE_DIRECTORY) private readonly directory: WorkspaceDirectory,
    @Inject(TENANT_MEMBERS) private readonly members: TenantMembers,
    @Inject(TENANT_INVITATIONS) private readonly invitations: TenantInvitations,
    @Inject(USER_REPOSITORY) private readonly users: UserRepository,
    @Inject(TOKEN_SERVICE) private readonly tokens: TokenService,
    @Inject(TOKENS.transactions) private readonly tx: TransactionRunner,
    @Inject(TOKENS.eventBus) private readonly events: EventBus,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(TOKENS.clock) private readonly clock: Clock,
    private readonly access: WorkspaceAccessCache,
  ) {}

  async execute(input: { workspaceId: string; userId: string; token: string }): Promise<void> {
    const workspace = await this.directory.findById(input.workspaceId);
    // Same answer as a wrong token: accepting must not reveal which workspace ids exist.
    if (!workspace || !workspace.isActive) throw new InvitationInvalidError();
    const user = await this.users.findById(input.userId);
    if (!user) throw new UserNotFoundError();
    await this.tx.runInTenant(SchemaName.parse(workspace.schemaName.value), async () => {
      const invitation = await this.invitations.findByHashForUpdate(this.tokens.hashSecret(input.token));
      if (!invitation) throw new InvitationInvalidError();
      invitation.accept(user.email.value, this.clock.now());
      await this.invitations.save(invitation);
      await this.members.add(user.id, invitation.roleName);
      await this.directory.addMembership(workspace.id, user.id);
      await this.audit.record({ action: 'member.joined', actorId: user.id, targetType: 'user', targetId: user.id });
      await this.events.publish<InvitationAccepted>(
        domainEvent('InvitationAccepted', {
          workspaceId: workspace.id,
          invitationId: invitation.id,
          userId: user.id,
          role: invitation.roleName,
        }),
      );
      await this.events.publish<MemberJoined>(
        domainEvent('MemberJoined', { workspaceId: workspace.id, userId: user.id }),
      );
    });
    await this.access.forget(workspace.id, [user.id]);
  }
}
