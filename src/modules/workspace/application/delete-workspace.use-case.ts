import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import { domainEvent } from '../../../core/domain/domain-event';
import type { EventBus } from '../../../core/infrastructure/events/event-bus';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import { WorkspaceNotFoundError } from '../domain/errors';
import type { WorkspaceDeleted } from '../domain/events';
import type { WorkspaceDirectory } from '../domain/ports';
import { WORKSPACE_DIRECTORY } from './tokens';
import { WorkspaceAccessCache } from './workspace-access.service';

/** Soft delete: every member loses access on their next request; the schema stays for tenant:drop. */
@Service()
export class DeleteWorkspace {
  constructor(
    @Inject(WORKSPACE_DIRECTORY) private readonly directory: WorkspaceDirectory,
    @Inject(TOKENS.eventBus) private readonly events: EventBus,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(TOKENS.clock) private readonly clock: Clock,
    private readonly access: WorkspaceAccessCache,
  ) {}

  async execute(input: { workspaceId: string; userId: string }): Promise<string[]> {
    const workspace = await this.directory.findById(input.workspaceId);
    if (!workspace) throw new WorkspaceNotFoundError();
    workspace.softDelete(this.clock.now());
    await this.directory.save(workspace);
    const memberIds = await this.directory.memberIds(workspace.id);
    await this.audit.record({ action: 'workspace.deleted', targetType: 'workspace', targetId: workspace.id });
    await this.access.forget(workspace.id, memberIds);
    await this.events.publish<WorkspaceDeleted>(domainEvent('WorkspaceDeleted', { workspaceId: workspace.id }));
    return memberIds;
  }
}
