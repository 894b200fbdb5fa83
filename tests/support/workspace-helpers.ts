import request from 'supertest';
import { API, bearer, login, register, type Registered } from './auth-helpers';
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
