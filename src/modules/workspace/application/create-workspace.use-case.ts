import { randomUUID } from 'node:crypto';
import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import { domainEvent } from '../../../core/domain/domain-event';
import { SchemaName } from '../../../core/domain/schema-name';
import type { TransactionRunner } from '../../../core/infrastructure/database/unit-of-work';
import type { EventBus } from '../../../core/infrastructure/events/event-bus';
import { z } from '../../../core/http/zod';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import { USER_REPOSITORY, UserNotFoundError, type UserRepository } from '../../user/user.public';
import { VerificationRequiredError, WorkspaceLimitError } from '../domain/errors';
import type { WorkspaceCreated } from '../domain/events';
import type { TenantMembers, TenantProvisioner, WorkspaceDirectory } from '../domain/ports';
import { Slug } from '../domain/slug';
import { Workspace } from '../domain/workspace';
import {
  TENANT_MEMBERS,
  TENANT_PROVISIONER,
  WORKSPACE_DIRECTORY,
  WORKSPACE_SETTINGS,
  type WorkspaceSettings,
} from './tokens';

export const createWorkspaceInput = z.strictObject({
  name: z.string().trim().min(1).max(100).openapi({ example: 'Acme' }),
  slug: z.string().max(48).optional().openapi({ description: 'Default: derived from the name', example: 'acme' }),
});
export type CreateWorkspaceInput = z.infer<typeof createWorkspaceInput>;

/**
 * Provisioning, all or nothing: directory row, schema, tenant migrations (with the system roles), the
 * owner as admin and the membership run in ONE transaction (PostgreSQL DDL is transactional),
 * so a failure or a crash leaves neither a half schema nor a row.
 */
@Service()
export class CreateWorkspace {
  constructor(
    @Inject(WORKSPACE_DIRECTORY) private readonly directory: WorkspaceDirectory,
    @Inject(TENANT_MEMBERS) private readonly members: TenantMembers,
    @Inject(TENANT_PROVISIONER) private readonly provisioner: TenantProvisioner,
    @Inject(USER_REPOSITORY) private readonly users: UserRepository,
    @Inject(WORKSPACE_SETTINGS) private readonly settings: WorkspaceSettings,
    @Inject(TOKENS.transactions) private readonly tx: TransactionRunner,
    @Inject(TOKENS.eventBus) private readonly events: EventBus,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(TOKENS.clock) private readonly clock: Clock,
  ) {}

  /** byPlatformAdmin (tenant:provision): the owner need not be verified and the per-user limit does not apply. */
  async execute(input: CreateWorkspaceInput & { ownerId: string; byPlatformAdmin?: boolean }): Promise<Workspace> {
    const owner = await this.users.findById(input.ownerId);
    if (!owner) throw new UserNotFoundError();
    if (!input.byPlatformAdmin) {
      if (!owner.isVerified) throw new VerificationRequiredError();
      if ((await this.directory.countOwnedBy(owner.id)) >= this.settings.maxOwnedPerUser) {
        throw new WorkspaceLimitError(this.settings.maxOwnedPerUser);
      }
    }
    const id = randomUUID();
    const now = this.clock.now();
    const workspace = Workspace.create({
      id,
      name: input.name,
      slug: input.slug ? Slug.create(input.slug) : Slug.fromName(input.name, id.slice(0, 8)),
      schemaName: SchemaName.forWorkspace(id),
      shard: await this.directory.placeNewTenant(),
      ownerId: owner.id,
      now,
    });
    await this.tx.runInTenant(
      workspace.schemaName,
      async () => {
        await this.directory.create(workspace);
        // The schema comes with the system roles and their permissions.
        await this.provisioner.provision();
        await this.members.add(owner.id, 'admin');
        await this.directory.addMembership(id, owner.id);
        workspace.activate(now);
        await this.directory.save(workspace);
        await this.audit.record({
          action: 'workspace.created',
          actorId: owner.id,
          targetType: 'workspace',
          targetId: id,
        });
        await this.events.publish<WorkspaceCreated>(
          domainEvent('WorkspaceCreated', { workspaceId: id, ownerId: owner.id }),
        );
      },
      { shard: workspace.shard, creating: true },
    );
    return workspace;
  }
}
