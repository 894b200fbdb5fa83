import request from 'supertest';
import { API, bearer, login, register, type Registered } from './auth-helpers';
import { mailTo, tokenFrom, type SmtpReceiver } from './smtp-receiver';
import { execute } from './test-db';
import type { TestServer } from './test-server';

export interface Account extends Registered {
  accessToken: string;
  refreshToken: string;
}

/** A verified, signed-in account (verification applied in SQL: these tests are about workspaces). */
export async function verifiedAccount(server: TestServer): Promise<Account> {
  const registered = await register(server.url);
  await execute(server, "UPDATE public.users SET email_verified_at = now(), status = 'active' WHERE id = $1", [
    registered.user.id,
  ]);
  const tokens = await login(server.url, registered.email, registered.password);
  return { ...registered, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken ?? '' };
}

export async function createWorkspace(
  server: TestServer,
  account: Account,
  name = 'Acme',
): Promise<{ id: string; slug: string }> {
  const res = await request(server.url).post(`${API}/workspaces`).set(bearer(account.accessToken)).send({ name });
  if (res.status !== 201) throw new Error(`create workspace answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.data;
}

/** Switches the account to the workspace and keeps the new tokens on the account. */
export async function switchTo(server: TestServer, account: Account, workspaceId: string): Promise<void> {
  const res = await request(server.url)
    .post(`${API}/workspaces/${workspaceId}/switch`)
    .set(bearer(account.accessToken));
  if (res.status !== 200) throw new Error(`switch answered ${res.status}: ${JSON.stringify(res.body)}`);
  account.accessToken = res.body.data.accessToken;
  account.refreshToken = res.body.data.refreshToken;
}

/**
 * The full invitation flow: the admin invites the account with a role, the invitation email is
 * read from the SMTP receiver, the account accepts and switches into the workspace.
 */
export async function inviteAndJoin(
  server: TestServer,
  receiver: SmtpReceiver,
  admin: Account,
  workspace: { id: string; name: string },
  account: Account,
  role: string,
): Promise<void> {
  const invited = await request(server.url)
    .post(`${API}/workspaces/${workspace.id}/members/invite`)
    .set(bearer(admin.accessToken))
    .send({ email: account.email, role });
  if (invited.status !== 202) throw new Error(`invite answered ${invited.status}: ${JSON.stringify(invited.body)}`);
  const token = tokenFrom(
    await receiver.waitForMail(mailTo(account.email, `Join ${workspace.name}`)),
    'accept-invitation',
  );
  const accepted = await request(server.url)
    .post(`${API}/workspaces/${workspace.id}/members/accept`)
    .set(bearer(account.accessToken))
    .send({ token });
  if (accepted.status !== 204) throw new Error(`accept answered ${accepted.status}: ${JSON.stringify(accepted.body)}`);
  await switchTo(server, account, workspace.id);
}
