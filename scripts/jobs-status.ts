// Decorator metadata must exist before any use case class is defined.
import 'reflect-metadata';
import { TOKENS } from '../src/core/bootstrap/tokens';
import { runScript } from './lib/cli';

const USAGE = `Usage: npm run jobs:status -- [--json] [--retry ID]

Shows the outbox: jobs per queue and state (created, retry, active, completed, failed), then the
newest dead letters (jobs that failed every attempt) with their type, when they died and the last
error. Exits 2 when there are dead letters, so a cron or a probe can alert on them.

  --json       print one JSON document instead of tables
  --retry ID   send that dead letter back to the outbox for a fresh set of attempts (once its
               cause is fixed), then show the status`;

void runScript(USAGE, { json: { type: 'boolean' }, retry: { type: 'string' } }, async ({ values, runtime }) => {
  const outbox = runtime.container.get(TOKENS.jobs);
  if (typeof values.retry === 'string') {
    if (!(await outbox.retryDead(values.retry))) throw new Error(`no dead letter has the id ${values.retry}`);
    process.stderr.write(`dead letter ${values.retry} sent back to the outbox\n`);
  }
  const status = await outbox.status();
  if (values.json) {
    process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
  } else {
    const header = ['queue', 'created', 'retry', 'active', 'completed', 'failed'];
    const rows = status.queues.map((q) => [q.queue, q.created, q.retry, q.active, q.completed, q.failed].map(String));
    process.stdout.write(`${table([header, ...rows])}\n\n`);
    if (status.dead.length === 0) process.stdout.write('no dead letters\n');
    else {
      process.stdout.write(`${status.dead.length} dead letter(s), newest first:\n`);
      const dead = status.dead.map((d) => [d.id, d.type, d.diedAt.toISOString(), d.error ?? '']);
      process.stdout.write(`${table([['id', 'type', 'died', 'last error'], ...dead])}\n`);
    }
  }
  return status.dead.length > 0 ? 2 : 0;
});

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
