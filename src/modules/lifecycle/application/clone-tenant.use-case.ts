import { PassThrough } from 'node:stream';
import { Inject, Service } from 'typedi';
import type { ArchiveProgress, ImportReport } from '../domain/ports';
import { ExportTenant } from './export-tenant.use-case';
import { ImportTenant } from './import-tenant.use-case';

/**
 * A copy of a workspace under a new id, name and slug: the export streams straight into the
 * import (no file), each on its own connection, so memory holds a few parts whatever the size.
 */
@Service()
export class CloneTenant {
  constructor(
    @Inject() private readonly exporter: ExportTenant,
    @Inject() private readonly importer: ImportTenant,
  ) {}

  async execute(input: {
    workspace: string;
    name: string;
    slug?: string;
    actorId?: string | null;
    progress?: ArchiveProgress;
  }): Promise<ImportReport> {
    // The source must exist before anything is created.
    const source = await this.exporter.prepare({ workspace: input.workspace, actorId: input.actorId });
    const pipe = new PassThrough({ highWaterMark: 1024 * 1024 });
    // Failures travel through the two promises; the stream's own error event must not go unheard.
    pipe.on('error', () => undefined);
    const exported = source.write(pipe);
    const imported = this.importer.execute({
      archive: pipe,
      options: { asNew: true, name: input.name, slug: input.slug },
      actorId: input.actorId,
      progress: input.progress,
    });
    // Whichever side fails first ends the other: a stalled reader or writer never hangs the clone.
    exported.catch((err: Error) => pipe.destroy(err));
    imported.catch((err: Error) => pipe.destroy(err));
    const [, report] = await Promise.all([exported, imported]);
    return report;
  }
}
