import { Inject, Service } from 'typedi';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import { WorkspaceNotDeletedError, WorkspaceNotFoundError } from '../domain/errors';
import type { LifecycleDirectory, PurgeReceipt } from '../domain/ports';
import { LIFECYCLE_DIRECTORY } from './tokens';

/**
 * Erasure of a deleted workspace: its schema, directory rows and every trace it left elsewhere,
 * in one transaction, with a receipt. The audit trail keeps one row saying it happened, by id.
 */
@Service()
export class PurgeTenant {
  constructor(
    @Inject(LIFECYCLE_DIRECTORY) private readonly directory: LifecycleDirectory,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
  ) {}

  async execute(input: { workspace: string; actorId?: string | null }): Promise<PurgeReceipt> {
    const workspace = await this.directory.find(input.workspace);
    if (!workspace) throw new WorkspaceNotFoundError();
    if (workspace.status !== 'deleted') throw new WorkspaceNotDeletedError(workspace.status);
    const receipt = await this.directory.purge(workspace);
    await this.audit.record({
      action: 'workspace.purged',
      actorId: input.actorId ?? null,
      targetType: 'workspace',
      targetId: workspace.id,
      metadata: { tenantRows: receipt.removed.tenantRows, redacted: receipt.redacted },
    });
    return receipt;
  }
}
