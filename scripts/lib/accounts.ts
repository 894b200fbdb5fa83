import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { TOKENS } from '../../src/core/bootstrap/tokens';
import { PASSWORD_HASHER, Password } from '../../src/modules/auth/auth.public';
import { Email, USER_REPOSITORY, User } from '../../src/modules/user/user.public';
import type { Runtime } from '../../src/server';

/** An existing live account, or a new one that is verified and active (scripts vouch for it). */
export async function ensureAccount(
  runtime: Runtime,
  input: { email: string; name: string; password: string },
): Promise<{ user: User; created: boolean }> {
  const { container } = runtime;
  const users = container.get(USER_REPOSITORY);
  const email = Email.create(input.email);
  const existing = await users.findByEmail(email);
  if (existing) return { user: existing, created: false };
  const password = Password.create(input.password, email.value);
  const now = container.get(TOKENS.clock).now();
  const user = User.register({
    id: randomUUID(),
    email,
    name: input.name,
    passwordHash: await container.get(PASSWORD_HASHER).hash(password.value),
    now,
  });
  user.verifyEmail(now);
  await users.create(user);
  return { user, created: true };
}

/** Reads a line from the terminal without echoing it. */
export function promptHidden(question: string): Promise<string> {
  if (!process.stdin.isTTY) {
    return Promise.reject(new Error('no terminal to prompt on: set ADMIN_PASSWORD in the environment'));
  }
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    const output = rl as unknown as { _writeToOutput: (s: string) => void };
    let asked = false;
    output._writeToOutput = (s: string) => {
      if (!asked) process.stdout.write(s);
      asked = true;
    };
    rl.question(question, (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
  });
}
