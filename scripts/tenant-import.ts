// Decorator metadata must exist before any use case class is defined.
import 'reflect-metadata';
import { ImportTenant } from '../src/modules/lifecycle/application/import-tenant.use-case';
import { archiveReader, streamProgress, writeReport } from './lib/archive-files';
import { runScript } from './lib/cli';

const USAGE = `Usage: npm run tenant:import -- --in FILE [--as-new] [--slug SLUG] [--name NAME] [--report report.json]

Restores a workspace from an archive made by tenant:export, all or nothing: a failure leaves no
schema and no row. An archive from an older release is migrated forward; one from a newer
release, or one whose checksums do not match, is refused. Without --as-new the original id is
restored (refused if it exists here); --as-new makes a copy with a new id and slug (<slug>-copy
unless --slug), whose pending invitations are revoked. Members' accounts are matched by id, then
by email; missing ones are created unverified, without a usable password (forgot-password).`;

void runScript(
  USAGE,
  {
    in: { type: 'string' },
    'as-new': { type: 'boolean' },
    slug: { type: 'string' },
    name: { type: 'string' },
    report: { type: 'string' },
  },
  async ({ values, runtime }) => {
    if (typeof values.in !== 'string') throw new Error(`--in is required\n\n${USAGE}`);
    const progress = streamProgress('import');
    try {
      const report = await runtime.container.get(ImportTenant).execute({
        archive: archiveReader(values.in),
        options: {
          asNew: Boolean(values['as-new']),
          slug: values.slug as string | undefined,
          name: values.name as string | undefined,
        },
        progress: (stream, rows) => progress.update(stream, rows),
      });
      progress.stop();
      const { accounts } = report;
      process.stderr.write(
        `imported ${report.workspace.slug} (${report.workspace.id}) from ${report.source.slug} (${report.source.id}); ` +
          `tenant version ${report.tenantVersion.archive} -> ${report.tenantVersion.now}; accounts: ` +
          `${accounts.matched} matched, ${accounts.created} created, ${accounts.remapped} mapped to another id\n`,
      );
      writeReport(values.report, report);
      return 0;
    } finally {
      progress.stop();
    }
  },
);
