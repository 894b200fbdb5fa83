// Decorator metadata must exist before any use case class is defined.
import 'reflect-metadata';
import { CloneTenant } from '../src/modules/lifecycle/application/clone-tenant.use-case';
import { streamProgress, writeReport } from './lib/archive-files';
import { runScript } from './lib/cli';

const USAGE = `Usage: npm run tenant:clone -- <workspace id or slug> --name NAME [--slug SLUG] [--report report.json]

Copies a workspace under a new id, name and slug (<slug>-copy unless --slug): an export streamed
straight into an import, without a file, from one consistent snapshot of the source. The copy's
pending invitations are revoked (their links belong to the original); members keep their roles.`;

void runScript(
  USAGE,
  { name: { type: 'string' }, slug: { type: 'string' }, report: { type: 'string' } },
  async ({ values, positionals, runtime }) => {
    const [workspace] = positionals;
    if (!workspace || typeof values.name !== 'string') throw new Error(`name the workspace and --name\n\n${USAGE}`);
    const progress = streamProgress('clone');
    try {
      const report = await runtime.container.get(CloneTenant).execute({
        workspace,
        name: values.name,
        slug: values.slug as string | undefined,
        progress: (stream, rows) => progress.update(stream, rows),
      });
      progress.stop();
      process.stderr.write(
        `cloned ${report.source.slug} (${report.source.id}) as ${report.workspace.slug} (${report.workspace.id})\n`,
      );
      writeReport(values.report, report);
      return 0;
    } finally {
      progress.stop();
    }
  },
);
