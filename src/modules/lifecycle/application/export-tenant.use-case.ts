import { Inject, Service } from 'typedi';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import { WorkspaceNotFoundError } from '../domain/errors';
import type { ArchiveProgress, ExportReport, LifecycleDirectory, TenantArchiver } from '../domain/ports';
import { LIFECYCLE_DIRECTORY, TENANT_ARCHIVER } from './tokens';

/** Writes one workspace's archive (uncompressed tar) to `out`, from one snapshot; audited. */
@Service()
export class ExportTenant {
  constructor(
    @Inject(LIFECYCLE_DIRECTORY) private readonly directory: LifecycleDirectory,
    @Inject(TENANT_ARCHIVER) private readonly archiver: TenantArchiver,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
  ) {}

  async execute(input: {
    workspace: string;
    out: NodeJS.WritableStream;
    actorId?: string | null;
    progress?: ArchiveProgress;
  }): Promise<ExportReport> {
    const workspace = await this.directory.find(input.workspace);
    if (!workspace || workspace.status === 'provisioning') throw new WorkspaceNotFoundError();
    const report = await this.archiver.export(workspace.id, input.out, input.progress);
    await this.audit.record({
      action: 'workspace.exported',
      actorId: input.actorId ?? null,
      targetType: 'workspace',
      targetId: workspace.id,
      metadata: { tenantVersion: report.tenantVersion, bytes: report.bytes },
    });
    return report;
  }
}
