// Decorator metadata must exist before any use case class is defined.
import 'reflect-metadata';
import { GrantGlobalRole, PLATFORM_ADMIN_ROLE } from '../src/modules/role/role.public';
import { ensureAccount, promptHidden } from './lib/accounts';
import { runScript } from './lib/cli';

const USAGE = `Usage: npm run admin:create -- --email admin@example.com [--name "Platform Admin"]

Makes the account a platform admin (global role ${PLATFORM_ADMIN_ROLE}: every user and workspace).
A new account is created verified and active, with the password from ADMIN_PASSWORD or, on a
terminal, typed at a prompt without echo. The password is never taken from the command line,
where shell history and the process list would keep it. An existing account keeps its password.`;

void runScript(USAGE, { email: { type: 'string' }, name: { type: 'string' } }, async ({ values, runtime }) => {
  const { email, name } = values as { email?: string; name?: string };
  if (!email) throw new Error(`--email is required\n\n${USAGE}`);
  const password = process.env.ADMIN_PASSWORD || (await promptHidden(`Password for ${email}: `));
  const { user, created } = await ensureAccount(runtime, { email, name: name ?? 'Platform Admin', password });
  const granted = await runtime.container
    .get(GrantGlobalRole)
    .execute({ userId: user.id, role: PLATFORM_ADMIN_ROLE, actorId: null });
  process.stdout.write(
    `${created ? 'created' : 'found'} ${user.email.value} (${user.id}); ` +
      `${granted ? 'now' : 'already'} a platform admin\n`,
  );
  return 0;
});
