// Decorator metadata must exist before any use case class is defined.
import 'reflect-metadata';
import cliProgress from 'cli-progress';
import { MoveTenant } from '../src/modules/lifecycle/application/move-tenant.use-case';
import { writeReport } from './lib/archive-files';
import { runScript } from './lib/cli';

const USAGE = `Usage: npm run tenant:move -- <workspace id or slug> --to <database> [--report report.json]
       npm run tenant:move -- <workspace id or slug> --abort

Moves a workspace's schema to another tenant database (TENANT_DATABASES names them; the main
database is "main"). Its writes are refused with 503 and Retry-After while its tables are copied
under a lock that waits for the writes in flight; reads go on. Every table's row count and
checksum are compared on the target before it commits; then the source schema is dropped and the
directory points at the target. Prints the JSON report (per table: rows and checksum; how long
writes were frozen). A run cut short is finished by running it again; --abort lifts the freeze of
one cut short before its copy committed.`;

void runScript(
  USAGE,
  { to: { type: 'string' }, abort: { type: 'boolean' }, report: { type: 'string' } },
  async ({ values, positionals, runtime }) => {
    const [workspace] = positionals;
    if (!workspace) throw new Error(`name the workspace\n\n${USAGE}`);
    const move = runtime.container.get(MoveTenant);
    if (values.abort) {
      process.stdout.write(`${JSON.stringify(await move.abort({ workspace }), null, 2)}\n`);
      return 0;
    }
    if (typeof values.to !== 'string') throw new Error(`name the target database with --to\n\n${USAGE}`);
    const bar = process.stderr.isTTY
      ? new cliProgress.SingleBar(
          { format: 'move {bar} {value}/{total} tables · {table}', stream: process.stderr },
          cliProgress.Presets.shades_classic,
        )
      : null;
    try {
      const report = await move.execute({
        workspace,
        to: values.to,
        progress: {
          start: (tables) => bar?.start(tables, 0, { table: '' }),
          table: (table) => bar?.increment({ table }),
        },
      });
      bar?.stop();
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      writeReport(values.report, report);
      return 0;
    } finally {
      bar?.stop();
    }
  },
);
