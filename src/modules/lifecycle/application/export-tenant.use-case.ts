import { Inject, Service } from 'typedi';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import { WorkspaceNotFoundError } from '../domain/errors';
import type {
  ArchiveProgress,
  ExportReport,
  LifecycleDirectory,
  LifecycleWorkspace,
  TenantArchiver,
} from '../domain/ports';
import { LIFECYCLE_DIRECTORY, TENANT_ARCHIVER } from './tokens';

/** An export whose workspace was found: the HTTP route answers 404 before it streams a byte. */
export interface PreparedExport {
  workspace: Pick<LifecycleWorkspace, 'id' | 'slug' | 'name'>;
  write(out: NodeJS.WritableStream, progress?: ArchiveProgress): Promise<ExportReport>;
}

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
    return (await this.prepare(input)).write(input.out, input.progress);
  }

  async prepare(input: { workspace: string; actorId?: string | null }): Promise<PreparedExport> {
    const workspace = await this.directory.find(input.workspace);
    if (!workspace || workspace.status === 'provisioning') throw new WorkspaceNotFoundError();
    return {
      workspace: { id: workspace.id, slug: workspace.slug, name: workspace.name },
      write: async (out, progress) => {
        // Recorded as the data starts to leave: a download cut short was still an access.
        await this.audit.record({
          action: 'workspace.exported',
          actorId: input.actorId ?? null,
          targetType: 'workspace',
          targetId: workspace.id,
        });
        return this.archiver.export(workspace.id, out, progress);
      },
    };
  }
}
