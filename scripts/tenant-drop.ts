// Decorator metadata must exist before any use case class is defined.
import 'reflect-metadata';
import { TENANT_SCHEMA_ADMIN } from '../src/modules/workspace/application/tokens';
import { runScript } from './lib/cli';

const USAGE = `Usage: npm run tenant:drop -- <workspace id or slug> --yes

Permanently drops a soft-deleted workspace's schema and its directory row. Refuses a workspace
that has not been deleted (DELETE /api/v1/workspaces/{id}) and runs only with --yes.`;

void runScript(USAGE, { yes: { type: 'boolean' } }, async ({ values, positionals, runtime }) => {
  const [target] = positionals;
  if (!target) throw new Error(`name the workspace\n\n${USAGE}`);
  const schemas = runtime.container.get(TENANT_SCHEMA_ADMIN);
  const tenant = (await schemas.listTenants()).find((t) => t.id === target || t.slug === target);
  if (!tenant) throw new Error(`no workspace ${target}`);
  if (tenant.status !== 'deleted') throw new Error(`workspace ${tenant.slug} is ${tenant.status}; delete it first`);
  if (!values.yes) throw new Error('this cannot be undone: add --yes');
  await schemas.drop(tenant);
  process.stdout.write(`dropped ${tenant.slug} (${tenant.id}) and schema ${tenant.schemaName}\n`);
  return 0;
});
