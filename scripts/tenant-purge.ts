// Decorator metadata must exist before any use case class is defined.
import 'reflect-metadata';
import { PurgeTenant } from '../src/modules/lifecycle/application/purge-tenant.use-case';
import { writeReport } from './lib/archive-files';
import { runScript } from './lib/cli';

const USAGE = `Usage: npm run tenant:purge -- <workspace id or slug> --yes [--report receipt.json]

Erases a deleted workspace (DELETE /api/v1/workspaces/{id} first) for good, in one transaction:
its schema, its directory row and memberships, outbox jobs that mention it, and its traces
elsewhere (platform audit rows about it lose their metadata, IP and user agent; invitation
notifications in other workspaces are emptied; sessions and users let go of it). Prints a
receipt of what was removed as JSON. Runs only with --yes; export it first to keep a copy.`;

void runScript(
  USAGE,
  { yes: { type: 'boolean' }, report: { type: 'string' } },
  async ({ values, positionals, runtime }) => {
    const [workspace] = positionals;
    if (!workspace) throw new Error(`name the workspace\n\n${USAGE}`);
    if (!values.yes) throw new Error('this cannot be undone: add --yes');
    const receipt = await runtime.container.get(PurgeTenant).execute({ workspace });
    process.stdout.write(`${JSON.stringify(receipt, null, 2)}\n`);
    writeReport(values.report, receipt);
    return 0;
  },
);
