// Decorator metadata must exist before any use case class is defined.
import 'reflect-metadata';
import { ExportTenant } from '../src/modules/lifecycle/application/export-tenant.use-case';
import { archiveWriter, streamProgress, writeReport } from './lib/archive-files';
import { runScript } from './lib/cli';

const USAGE = `Usage: npm run tenant:export -- <workspace id or slug> --out FILE [--report report.json]

Writes one workspace to a portable archive (gzip-compressed tar, format 1): its tenant schema's
rows (streamed with COPY: memory stays bounded whatever the size), its directory rows and its
members' public profiles (never a password hash or token), and a manifest of row counts and
SHA-256 checksums. Everything comes from one consistent snapshot, so it runs while the API serves.
--out - writes to stdout. Restore with tenant:import. See docs/adr/0010-tenant-lifecycle.md.`;

void runScript(
  USAGE,
  { out: { type: 'string' }, report: { type: 'string' } },
  async ({ values, positionals, runtime }) => {
    const [workspace] = positionals;
    if (!workspace || typeof values.out !== 'string') throw new Error(`name the workspace and --out\n\n${USAGE}`);
    const file = archiveWriter(values.out);
    const progress = streamProgress('export');
    try {
      const report = await runtime.container
        .get(ExportTenant)
        .execute({ workspace, out: file.stream, progress: (stream, rows) => progress.update(stream, rows) });
      await file.done;
      file.commit();
      progress.stop();
      const rows = Object.values(report.rows).reduce((a, b) => a + b, 0);
      process.stderr.write(
        `exported ${report.workspace.slug} (${report.workspace.id}) at tenant version ${report.tenantVersion}: ` +
          `${rows} rows, ${report.bytes} bytes before compression\n`,
      );
      writeReport(values.report, report);
      return 0;
    } catch (err) {
      progress.stop();
      file.abort();
      throw err;
    }
  },
);
