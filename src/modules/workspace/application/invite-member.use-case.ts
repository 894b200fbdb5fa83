import { randomUUID } from 'node:crypto';
import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import { domainEvent } from '../../../core/domain/domain-event';
import type { Mailer } from '../../../core/infrastructure/email/email';
import type { EventBus } from '../../../core/infrastructure/events/event-bus';
import { z } from '../../../core/http/zod';
import { escapeHtml } from '../../../core/utils/html';
import type { Principal } from '../../../core/http/principal';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import { PermissionDeniedError, PermissionService } from '../../role/role.public';
import { TOKEN_SERVICE, type TokenService } from '../../auth/auth.public';
import { Email, USER_REPOSITORY, type UserRepository } from '../../user/user.public';
import { AlreadyMemberError, RoleNotFoundError, WorkspaceNotFoundError } from '../domain/errors';
import type { MemberInvited } from '../domain/events';
import { Invitation } from '../domain/invitation';
import type { TenantInvitations, TenantMembers, WorkspaceDirectory } from '../domain/ports';
import {
  TENANT_INVITATIONS,
  TENANT_MEMBERS,
  WORKSPACE_DIRECTORY,
  WORKSPACE_SETTINGS,
  type WorkspaceSettings,
} from './tokens';

export const inviteMemberInput = z.strictObject({
  email: z.string().max(254).openapi({ example: 'grace@example.com' }),
  role: z.string().min(1).max(64).default('member').openapi({ example: 'member' }),
});
export type InviteMemberInput = z.infer<typeof inviteMemberInput>;

/** Runs in the workspace's tenant scope. Re-inviting an address replaces its pending invitation. */
@Service()
export class InviteMember {
  constructor(
    @Inject(WORKSPACE_DIRECTORY) private readonly directory: WorkspaceDirectory,
    @Inject(TENANT_MEMBERS) private readonly members: TenantMembers,
    @Inject(TENANT_INVITATIONS) private readonly invitations: TenantInvitations,
    @Inject(USER_REPOSITORY) private readonly users: UserRepository,
    @Inject(TOKEN_SERVICE) private readonly tokens: TokenService,
    @Inject(WORKSPACE_SETTINGS) private readonly settings: WorkspaceSettings,
    @Inject(TOKENS.mailer) private readonly mailer: Mailer,
    @Inject(TOKENS.eventBus) private readonly events: EventBus,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(TOKENS.clock) private readonly clock: Clock,
    private readonly permissions: PermissionService,
  ) {}

  async execute(input: InviteMemberInput & { workspaceId: string; principal: Principal }): Promise<void> {
    const invitedBy = input.principal.userId;
    const email = Email.create(input.email);
    if (!(await this.members.roleExists(input.role))) throw new RoleNotFoundError();
    // Nobody hands out a permission they do not hold, so a member cannot invite an admin.
    const mine = new Set(await this.permissions.effective(input.principal));
    const missing = (await this.members.rolePermissions(input.role)).find((p) => !mine.has(p));
    if (missing) throw new PermissionDeniedError(missing);
    const workspace = await this.directory.findById(input.workspaceId);
    if (!workspace) throw new WorkspaceNotFoundError();
    const existing = await this.users.findByEmail(email);
    if (existing && (await this.members.isMember(existing.id))) throw new AlreadyMemberError();

    const { secret, hash } = this.tokens.mintSecret('inv');
    await this.invitations.replacePending(
      Invitation.issue({
        id: randomUUID(),
        email: email.value,
        roleName: input.role,
        tokenHash: hash,
        invitedBy,
        now: this.clock.now(),
        ttlSeconds: this.settings.invitationTtlSeconds,
      }),
    );
    await this.audit.record({ action: 'member.invited', targetType: 'invitation', metadata: { role: input.role } });
    const url = `${this.settings.frontendUrl}/accept-invitation?token=${encodeURIComponent(secret)}&workspaceId=${workspace.id}`;
    const text = `You have been invited to join ${workspace.name} as ${input.role}. The link works for 7 days.`;
    await this.mailer.send({
      to: email.value,
      subject: `Join ${workspace.name}`,
      text: `${text}\n\nAccept the invitation: ${url}`,
      html: `<p>${escapeHtml(text)}</p><p><a href="${escapeHtml(url)}">Accept the invitation</a></p>`,
    });
    await this.events.publish<MemberInvited>(
      domainEvent('MemberInvited', { workspaceId: workspace.id, email: email.value, role: input.role }),
    );
  }
}
