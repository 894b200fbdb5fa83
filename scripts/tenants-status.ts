// Decorator metadata must exist before any use case class is defined.
import 'reflect-metadata';
import { TENANT_SCHEMA_ADMIN } from '../src/modules/workspace/application/tokens';
import { runScript } from './lib/cli';

const USAGE = `Usage: npm run tenants:status

Lists every tenant with its pending tenant migrations (checked in each schema).`;

void runScript(USAGE, {}, async ({ runtime }) => {
  const schemas = runtime.container.get(TENANT_SCHEMA_ADMIN);
  let behind = 0;
  for (const tenant of await schemas.listTenants()) {
    if (tenant.status === 'deleted') continue;
    const pending = await schemas.pending(tenant);
    if (pending.length > 0) behind += 1;
    process.stdout.write(
      `${tenant.id}  ${tenant.slug.padEnd(30)} ${pending.length ? `pending: ${pending.join(', ')}` : 'up to date'}\n`,
    );
  }
  process.stdout.write(`${behind} tenant(s) with pending migrations\n`);
  return 0;
});
