// Decorator metadata must exist before any use case class is defined.
import 'reflect-metadata';
import { TENANT_SCHEMA_ADMIN } from '../src/modules/workspace/application/tokens';
import { runScript } from './lib/cli';

const USAGE = `Usage: npm run tenants:list [-- --json]

Lists every workspace: id, slug, status, database, schema and the newest tenant migration applied.`;

void runScript(USAGE, { json: { type: 'boolean' } }, async ({ values, runtime }) => {
  const tenants = await runtime.container.get(TENANT_SCHEMA_ADMIN).listTenants();
  if (values.json) {
    process.stdout.write(`${JSON.stringify(tenants, null, 2)}\n`);
    return 0;
  }
  for (const t of tenants) {
    process.stdout.write(
      `${t.id}  ${t.slug.padEnd(30)} ${t.status.padEnd(12)} ${t.shard.padEnd(10)} ${t.schemaName}  ${t.schemaVersion ?? '-'}\n`,
    );
  }
  process.stdout.write(`${tenants.length} tenant(s)\n`);
  return 0;
});
