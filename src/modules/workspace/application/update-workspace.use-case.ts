import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import { domainEvent } from '../../../core/domain/domain-event';
import type { EventBus } from '../../../core/infrastructure/events/event-bus';
import { z } from '../../../core/http/zod';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import { WorkspaceNotFoundError } from '../domain/errors';
import type { WorkspaceUpdated } from '../domain/events';
import type { WorkspaceDirectory } from '../domain/ports';
import type { Workspace } from '../domain/workspace';
import { WORKSPACE_DIRECTORY } from './tokens';
import { WorkspaceAccessCache } from './workspace-access.service';

const settingValue = z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]);

export const updateWorkspaceInput = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  settings: z
    .record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9_.-]{0,63}$/), settingValue)
    .refine((s) => Object.keys(s).length <= 50, 'At most 50 settings')
    .refine((s) => s.requireMfa === undefined || typeof s.requireMfa === 'boolean', {
      message: 'requireMfa is true or false',
      path: ['requireMfa'],
    })
    .optional()
    .openapi({
      description:
        'Flat key/value settings merged into the current ones. `requireMfa: true` refuses members without ' +
        "two-factor authentication (403 `MFA_REQUIRED`) on this workspace's routes and when switching into it.",
      example: { locale: 'en' },
    }),
});
export type UpdateWorkspaceInput = z.infer<typeof updateWorkspaceInput>;

@Service()
export class UpdateWorkspace {
  constructor(
    @Inject(WORKSPACE_DIRECTORY) private readonly directory: WorkspaceDirectory,
    @Inject(TOKENS.eventBus) private readonly events: EventBus,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(TOKENS.clock) private readonly clock: Clock,
    private readonly access: WorkspaceAccessCache,
  ) {}

  /** Runs in the workspace's tenant scope (the route's guard opens it). */
  async execute(input: UpdateWorkspaceInput & { workspaceId: string; userId: string }): Promise<Workspace> {
    const workspace = await this.directory.findById(input.workspaceId);
    if (!workspace) throw new WorkspaceNotFoundError();
    workspace.update({ name: input.name, settings: input.settings }, this.clock.now());
    await this.directory.save(workspace);
    // Cached access carries requireMfa: every member's entry is stale once it changes.
    if (input.settings && 'requireMfa' in input.settings) {
      await this.access.forget(workspace.id, await this.directory.memberIds(workspace.id));
    }
    await this.audit.record({ action: 'workspace.updated', targetType: 'workspace', targetId: workspace.id });
    await this.events.publish<WorkspaceUpdated>(domainEvent('WorkspaceUpdated', { workspaceId: workspace.id }));
    return workspace;
  }
}
