import request from 'supertest';
import { API, bearer } from '../../support/auth-helpers';
import type { SmtpReceiver } from '../../support/smtp-receiver';
import { execute } from '../../support/test-db';
import type { TestServer } from '../../support/test-server';
import {
  createWorkspace,
  inviteAndJoin,
  switchTo,
  verifiedAccount,
  type Account,
} from '../../support/workspace-helpers';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

export const USER_VIEW_KEYS = [
  'avatarUrl',
  'createdAt',
  'email',
  'emailVerified',
  'id',
  'lastLoginAt',
  'locale',
  'name',
  'status',
  'timezone',
];
export const SUMMARY_KEYS = ['avatarUrl', 'createdAt', 'email', 'id', 'name', 'status', 'timezone'];

/** A PNG signature followed by some bytes: enough for content sniffing. */
export const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('IHDR-fake-image-body-0123456789'),
]);

/** Grants the platform_admin global role (before the account's first permission check, which is cached). */
export async function makePlatformAdmin(server: TestServer, account: Account): Promise<void> {
  await execute(
    server,
    "INSERT INTO public.user_global_roles (user_id, role_id) SELECT $1, id FROM public.global_roles WHERE name = 'platform_admin'",
    [account.user.id],
  );
}

/** An admin in an active workspace of the given name. */
export async function adminWithWorkspace(server: TestServer, name: string) {
  const admin = await verifiedAccount(server);
  const ws = await createWorkspace(server, admin, name);
  await switchTo(server, admin, ws.id);
  return { admin, ws: { id: ws.id, name } };
}

/** A fresh account that joined the workspace with a role and switched into it. */
export async function joined(
  server: TestServer,
  receiver: SmtpReceiver,
  admin: Account,
  ws: { id: string; name: string },
  role: 'admin' | 'member' | 'viewer',
): Promise<Account> {
  const account = await verifiedAccount(server);
  await inviteAndJoin(server, receiver, admin, ws, account, role);
  return account;
}

export const as = (server: TestServer, who: { accessToken: string }) => ({
  get: (path: string) => request(server.url).get(`${API}${path}`).set(bearer(who.accessToken)),
  put: (path: string, body: object) => request(server.url).put(`${API}${path}`).set(bearer(who.accessToken)).send(body),
  patch: (path: string, body: object) =>
    request(server.url).patch(`${API}${path}`).set(bearer(who.accessToken)).send(body),
  delete: (path: string, body?: object) => {
    const req = request(server.url).delete(`${API}${path}`).set(bearer(who.accessToken));
    return body ? req.send(body) : req;
  },
});

export const loginRaw = (server: TestServer, email: string, password: string) =>
  request(server.url).post(`${API}/auth/login`).send({ email, password });

export const ids = (body: { data: { id: string }[] }): string[] => body.data.map((u) => u.id);
