import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Service } from 'typedi';
import { z } from '../../../core/http/zod';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import { PASSWORD_HASHER, type PasswordHasher } from '../../auth/auth.public';
import { Slug } from '../../workspace/workspace.public';
import type { ArchiveHeader } from '../domain/archive';
import { SlugTakenError, WorkspaceExistsError } from '../domain/errors';
import type { ArchiveProgress, ImportReport, ImportTarget, LifecycleDirectory, TenantArchiver } from '../domain/ports';
import { LIFECYCLE_DIRECTORY, TENANT_ARCHIVER } from './tokens';

export const importOptions = z.strictObject({
  /** A copy with a new id (and a fresh slug), rather than the original restored under its own id. */
  asNew: z.boolean().default(false),
  slug: z.string().max(48).optional(),
  name: z.string().trim().min(1).max(100).optional(),
});
export type ImportOptionsInput = z.input<typeof importOptions>;

/**
 * Restores a workspace from an archive, all or nothing: its schema, directory rows and people.
 * The original id is kept (refused if it exists), or with asNew the workspace becomes a copy.
 */
@Service()
export class ImportTenant {
  constructor(
    @Inject(LIFECYCLE_DIRECTORY) private readonly directory: LifecycleDirectory,
    @Inject(TENANT_ARCHIVER) private readonly archiver: TenantArchiver,
    @Inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
  ) {}

  async execute(input: {
    archive: NodeJS.ReadableStream;
    options: ImportOptionsInput;
    actorId?: string | null;
    progress?: ArchiveProgress;
  }): Promise<ImportReport> {
    const options = importOptions.parse(input.options);
    const slug = options.slug === undefined ? undefined : Slug.create(options.slug).value;
    // One hash for every account the import creates: of a secret nobody keeps.
    const placeholderPasswordHash = await this.hasher.hash(randomBytes(32).toString('base64url'));
    const report = await this.archiver.import(
      input.archive,
      { placeholderPasswordHash, decide: (header) => this.target(header, options.asNew, slug, options.name) },
      input.progress,
    );
    await this.audit.record({
      action: 'workspace.imported',
      actorId: input.actorId ?? null,
      targetType: 'workspace',
      targetId: report.workspace.id,
      metadata: {
        sourceId: report.source.id,
        asNew: options.asNew,
        tenantVersion: report.tenantVersion,
        accounts: report.accounts,
      },
    });
    return report;
  }

  private async target(header: ArchiveHeader, asNew: boolean, slug?: string, name?: string): Promise<ImportTarget> {
    const original = header.workspace;
    if (!asNew && (await this.directory.find(original.id))) throw new WorkspaceExistsError();
    const chosen = slug ?? (asNew ? await this.freeSlug(original.slug) : original.slug);
    if (await this.directory.slugInUse(chosen)) throw new SlugTakenError(chosen);
    return {
      id: asNew ? randomUUID() : original.id,
      name: name ?? (asNew ? `${original.name} (copy)`.slice(0, 100) : original.name),
      slug: chosen,
      asNew,
    };
  }

  /** `<slug>-copy`, then `-copy-2`, `-copy-3`…: the first one no live workspace holds. */
  private async freeSlug(base: string): Promise<string> {
    const stem = base.slice(0, 38).replace(/-+$/, '');
    for (let n = 1; ; n++) {
      const candidate = Slug.create(n === 1 ? `${stem}-copy` : `${stem}-copy-${n}`).value;
      if (!(await this.directory.slugInUse(candidate))) return candidate;
    }
  }
}
