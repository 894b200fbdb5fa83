import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Shards } from '../../../core/infrastructure/database/shards';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import { WORKSPACE_DIRECTORY, WorkspaceAccessCache, type WorkspaceDirectory } from '../../workspace/workspace.public';
import { TenantMoveConflictError, UnknownTenantDatabaseError, WorkspaceNotFoundError } from '../domain/errors';
import type { LifecycleDirectory, LifecycleWorkspace, MoveProgress, MoveReport, TenantMover } from '../domain/ports';
import { LIFECYCLE_DIRECTORY, TENANT_MOVER } from './tokens';

/**
 * Moves a workspace's schema to another database (ADR 0012): freeze its writes (503 with
 * Retry-After), copy and verify under the move lock, drop the source, switch the directory,
 * lift the freeze. Re-running after a crash finishes or restarts it; `abort` lifts a freeze
 * left by a run cut short before its copy committed.
 */
@Service()
export class MoveTenant {
  constructor(
    @Inject(LIFECYCLE_DIRECTORY) private readonly directory: LifecycleDirectory,
    @Inject(TENANT_MOVER) private readonly mover: TenantMover,
    @Inject(WORKSPACE_DIRECTORY) private readonly workspaces: WorkspaceDirectory,
    @Inject(TOKENS.shards) private readonly shards: Shards,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    private readonly access: WorkspaceAccessCache,
  ) {}

  async execute(input: {
    workspace: string;
    to: string;
    actorId?: string | null;
    progress?: MoveProgress;
  }): Promise<MoveReport> {
    const { to } = input;
    if (!this.shards.has(to)) throw new UnknownTenantDatabaseError(to, this.shards.names());
    const found = await this.find(input.workspace);
    // One move or abort of a workspace at a time: a second one (an HTTP retry, an operator's
    // abort) would otherwise drop the copy the first is about to switch to.
    return this.mover.exclusively(found.id, async () => {
      const workspace = await this.find(found.id);
      if (workspace.status !== 'active' && workspace.status !== 'suspended') {
        throw new TenantMoveConflictError(
          `Only an active or suspended workspace can be moved (this one is ${workspace.status})`,
        );
      }
      if (workspace.movingTo && workspace.movingTo !== to) {
        throw new TenantMoveConflictError(
          `A move to "${workspace.movingTo}" was cut short: finish it (--to ${workspace.movingTo}) or abort it first`,
        );
      }
      if (workspace.shard === to) throw new TenantMoveConflictError(`The workspace is already on "${to}"`);
      // What exists decides, not the freeze mark: a failure reported after the source was dropped
      // (a lost COMMIT answer) leaves the copy as the only one.
      const sourceHere = await this.mover.schemaExists(workspace.shard, workspace.schemaName);
      const copyThere = await this.mover.schemaExists(to, workspace.schemaName);
      if (!sourceHere && !copyThere) {
        throw new TenantMoveConflictError(
          `The schema is on neither "${workspace.shard}" nor "${to}": restore the workspace from an export`,
        );
      }
      const started = Date.now();
      await this.mover.setMoving(workspace.id, to);
      await this.forgetAccess(workspace.id);
      let copied: Pick<MoveReport, 'tables' | 'phases'> = {
        tables: {},
        phases: { waitMs: 0, copyMs: 0, verifyMs: 0 },
      };
      const resumed = !sourceHere;
      if (sourceHere) {
        try {
          // The source is the tenant: a copy left by a run cut short is stale.
          if (copyThere) await this.mover.dropSchema(to, workspace.schemaName);
          copied = await this.mover.copy(workspace, workspace.shard, to, input.progress);
        } catch (err) {
          // Where the source is still there nothing changed: its partial or committed copy goes,
          // and the freeze is lifted. Where it is gone, the copy is the tenant: a re-run switches.
          if (await this.mover.schemaExists(workspace.shard, workspace.schemaName)) {
            await this.mover.dropSchema(to, workspace.schemaName);
            await this.mover.setMoving(workspace.id, null);
            await this.forgetAccess(workspace.id);
          }
          throw err;
        }
      }
      await this.mover.switchTo(workspace, to);
      await this.forgetAccess(workspace.id);
      const report: MoveReport = {
        workspace: { id: workspace.id, slug: workspace.slug, schema: workspace.schemaName },
        from: workspace.shard,
        to,
        ...copied,
        frozenMs: Date.now() - started,
        resumed,
      };
      await this.audit.record({
        action: 'workspace.moved',
        actorId: input.actorId ?? null,
        targetType: 'workspace',
        targetId: workspace.id,
        metadata: { from: report.from, to, frozenMs: report.frozenMs, resumed },
      });
      return report;
    });
  }

  /** Lifts the freeze of a move cut short before its copy replaced the source (the source is intact). */
  async abort(input: { workspace: string }): Promise<{ workspace: string; shard: string }> {
    const found = await this.find(input.workspace);
    return this.mover.exclusively(found.id, async () => {
      const workspace = await this.find(found.id);
      if (!workspace.movingTo || workspace.movingTo === workspace.shard) {
        throw new TenantMoveConflictError('No move of this workspace is under way');
      }
      if (!(await this.mover.schemaExists(workspace.shard, workspace.schemaName))) {
        throw new TenantMoveConflictError(
          `The copy on "${workspace.movingTo}" already replaced the source: finish the move (--to ${workspace.movingTo})`,
        );
      }
      await this.mover.dropSchema(workspace.movingTo, workspace.schemaName);
      await this.mover.setMoving(workspace.id, null);
      await this.forgetAccess(workspace.id);
      return { workspace: workspace.id, shard: workspace.shard };
    });
  }

  private async find(idOrSlug: string): Promise<LifecycleWorkspace> {
    const workspace = await this.directory.find(idOrSlug);
    if (!workspace || workspace.status === 'deleted') throw new WorkspaceNotFoundError();
    return workspace;
  }

  /** Every member's cached access (with its shard and freeze mark) is read afresh, on every instance. */
  private async forgetAccess(workspaceId: string): Promise<void> {
    await this.access.forget(workspaceId, await this.workspaces.memberIds(workspaceId));
  }
}
