// Decorator metadata must exist before any use case class is defined.
import 'reflect-metadata';
import { USER_REPOSITORY, Email } from '../src/modules/user/user.public';
import { CreateWorkspace } from '../src/modules/workspace/application/create-workspace.use-case';
import { runScript } from './lib/cli';

const USAGE = `Usage: npm run tenant:provision -- --name "Acme" --owner alice@example.com [--slug acme]

Creates a workspace with its own schema (all tenant migrations, system roles) and makes the
owner (an existing account) its admin. All or nothing. Prints the workspace id.`;

void runScript(
  USAGE,
  { name: { type: 'string' }, owner: { type: 'string' }, slug: { type: 'string' } },
  async ({ values, runtime }) => {
    const { name, owner, slug } = values as { name?: string; owner?: string; slug?: string };
    if (!name || !owner) throw new Error(`--name and --owner are required\n\n${USAGE}`);
    const user = await runtime.container.get(USER_REPOSITORY).findByEmail(Email.create(owner));
    if (!user) throw new Error(`no account with the email ${owner}`);
    const workspace = await runtime.container
      .get(CreateWorkspace)
      .execute({ name, slug, ownerId: user.id, byPlatformAdmin: true });
    process.stdout.write(`provisioned ${workspace.id} (${workspace.slug.value}) for ${user.email.value}\n`);
    return 0;
  },
);
