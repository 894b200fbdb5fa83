// Decorator metadata must exist before any use case class is defined.
import 'reflect-metadata';
import { TOKENS } from '../src/core/bootstrap/tokens';
import { SchemaName } from '../src/core/domain/schema-name';
import { GrantGlobalRole, PLATFORM_ADMIN_ROLE } from '../src/modules/role/role.public';
import { CreateWorkspace } from '../src/modules/workspace/application/create-workspace.use-case';
import { TENANT_MEMBERS, WORKSPACE_DIRECTORY } from '../src/modules/workspace/application/tokens';
import { ensureAccount } from './lib/accounts';
import { runScript } from './lib/cli';

const USAGE = `Usage: npm run db:seed

Fills a local database with demo data: a platform admin and two workspaces (Acme, Globex), each
with an admin, a member and a viewer. All demo accounts share one password, printed at the end.
Refuses to run with NODE_ENV=production. Running it again changes nothing.`;

/** Shared by every demo account; printed, because this is for local use only. */
const DEMO_PASSWORD = 'tenant-demo-2026';

const WORKSPACES = [
  { name: 'Acme', people: { admin: 'alice', member: 'bob', viewer: 'carol' } },
  { name: 'Globex', people: { admin: 'dave', member: 'erin', viewer: 'frank' } },
] as const;

const emailOf = (who: string) => `${who}@demo.test`;
const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

void runScript(USAGE, {}, async ({ runtime }) => {
  const { container } = runtime;
  if (container.get(TOKENS.config).isProduction) throw new Error('db:seed refuses to run with NODE_ENV=production');
  const lines: string[] = [];

  const root = await ensureAccount(runtime, { email: emailOf('root'), name: 'Root Admin', password: DEMO_PASSWORD });
  await container.get(GrantGlobalRole).execute({ userId: root.user.id, role: PLATFORM_ADMIN_ROLE, actorId: null });
  lines.push(`  ${emailOf('root').padEnd(18)} platform admin`);

  const directory = container.get(WORKSPACE_DIRECTORY);
  const members = container.get(TENANT_MEMBERS);
  const tx = container.get(TOKENS.transactions);
  for (const spec of WORKSPACES) {
    const accounts = Object.fromEntries(
      await Promise.all(
        Object.entries(spec.people).map(async ([role, who]) => [
          role,
          (await ensureAccount(runtime, { email: emailOf(who), name: capitalise(who), password: DEMO_PASSWORD })).user,
        ]),
      ),
    ) as Record<keyof typeof spec.people, { id: string }>;
    // The admin's workspaces tell whether this one was seeded before.
    const mine = await directory.listForMember(accounts.admin.id, { page: 1, limit: 100 });
    const existing = mine.items.find((w) => w.name === spec.name);
    if (!existing) {
      const workspace = await container
        .get(CreateWorkspace)
        .execute({ name: spec.name, ownerId: accounts.admin.id, byPlatformAdmin: true });
      await tx.runInTenant(SchemaName.parse(workspace.schemaName.value), async () => {
        for (const role of ['member', 'viewer'] as const) {
          await members.add(accounts[role].id, role);
          await directory.addMembership(workspace.id, accounts[role].id);
        }
      });
      // Each demo account signs in straight into its workspace.
      for (const account of Object.values(accounts)) await directory.setLastWorkspace(account.id, workspace.id);
    }
    for (const [role, who] of Object.entries(spec.people))
      lines.push(`  ${emailOf(who).padEnd(18)} ${role} of ${spec.name}`);
  }

  process.stdout.write(
    [
      'Demo data is ready. Sign in with any of these accounts and the password ' + `"${DEMO_PASSWORD}":`,
      ...lines,
      '',
      'For example:',
      `  curl -s -X POST http://localhost:3000/api/v1/auth/login -H 'Content-Type: application/json' \\`,
      `    -d '{"email":"${emailOf('alice')}","password":"${DEMO_PASSWORD}"}'`,
      '',
    ].join('\n'),
  );
  return 0;
});
