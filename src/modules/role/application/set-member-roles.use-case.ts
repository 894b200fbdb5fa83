import { Inject, Service } from 'typedi';
import type { Principal } from '../../../core/http/principal';
import { z } from '../../../core/http/zod';
import { TOKENS } from '../../../core/bootstrap/tokens';
import { domainEvent } from '../../../core/domain/domain-event';
import type { EventBus } from '../../../core/infrastructure/events/event-bus';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import type { MemberRolesChanged } from '../domain/events';
import type { RoleRepository } from '../domain/ports';
import { LastAdminError, MemberNotFoundError, RoleNotFoundError } from '../domain/role';
import { PermissionService } from './permission.service';
import { ROLE_REPOSITORY } from './tokens';

export const memberRolesInput = z.strictObject({
  roles: z
    .array(z.string().max(40))
    .min(1)
    .max(20)
    .openapi({ example: ['member'] }),
});

/** Replaces a member's roles (tenant scope): no escalation, never leaving the workspace without an admin. */
@Service()
export class SetMemberRoles {
  constructor(
    @Inject(ROLE_REPOSITORY) private readonly roles: RoleRepository,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(TOKENS.eventBus) private readonly events: EventBus,
    private readonly permissions: PermissionService,
  ) {}

  async execute(principal: Principal, userId: string, names: string[]): Promise<string[]> {
    if (!(await this.roles.isMember(userId))) throw new MemberNotFoundError();
    const wanted = [...new Set(names)];
    const found = await this.roles.findByNames(wanted);
    if (found.length !== wanted.length) throw new RoleNotFoundError();
    await this.permissions.requireAll(principal, [...new Set(found.flatMap((r) => r.permissions))]);
    if (
      (await this.roles.adminsAfter(
        userId,
        found.map((r) => r.id),
      )) === 0
    )
      throw new LastAdminError();
    const before = await this.roles.memberRoleNames(userId);
    await this.roles.setMemberRoles(
      userId,
      found.map((r) => r.id),
    );
    await this.audit.record({
      action: 'member.roles_set',
      actorId: principal.userId,
      targetType: 'user',
      targetId: userId,
      metadata: { before, after: wanted.sort() },
    });
    const after = await this.roles.memberRoleNames(userId);
    const { workspaceId } = principal;
    if (workspaceId) {
      await this.permissions.invalidate(workspaceId);
      await this.events.publish<MemberRolesChanged>(
        domainEvent('MemberRolesChanged', { workspaceId, userId, roles: after, by: principal.userId }),
      );
    }
    return after;
  }
}
