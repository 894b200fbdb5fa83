import request from 'supertest';
import { API, bearer, login, OTHER_STRONG_PASSWORD, refresh } from '../../support/auth-helpers';
import { execute } from '../../support/test-db';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createWorkspace, switchTo, verifiedAccount, type Account } from '../../support/workspace-helpers';
import { anotherSession, closeAllClients, connectWorkspace, openWorkspace, rename, type Client } from './helpers';

describe('realtime: sockets end when access ends', () => {
  let server: TestServer;
  let counter = 0;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(() => closeAllClients());
  afterAll(() => server.stop());

  /** An account that runs two workspaces of its own (active in the first). */
  async function owner() {
    const account = await verifiedAccount(server);
    const first = await createWorkspace(server, account, `First ${++counter}`);
    const second = await createWorkspace(server, account, `Second ${counter}`);
    await switchTo(server, account, first.id);
    return { account, first: first.id, second: second.id };
  }

  /** The socket is still connected: a later event reached it. */
  async function stillConnected(client: Client, token: string, workspaceId: string): Promise<void> {
    const since = client.mark();
    await rename(server, token, workspaceId, `Renamed ${++counter}`);
    expect(await client.waitFor('workspace:updated', { since })).toEqual({ workspaceId });
    expect(client.socket.connected).toBe(true);
  }

  const logout = (token: string, scope?: string) =>
    request(server.url)
      .post(`${API}/auth/logout`)
      .set(bearer(token))
      .send(scope ? { scope } : {});

  test("when a session logs out, then that session's sockets disconnect at once and the user's other session keeps its socket", async () => {
    const { account, first, second } = await owner();
    const other = await anotherSession(server, account, first);
    const [mine, mineElsewhere, theirs] = await Promise.all([
      connectWorkspace(server, first, account.accessToken),
      connectWorkspace(server, second, account.accessToken),
      connectWorkspace(server, first, other.accessToken),
    ]);

    expect((await logout(account.accessToken)).status).toBe(204);

    expect(await mine.waitForDisconnect()).toBe('io server disconnect');
    expect(await mineElsewhere.waitForDisconnect()).toBe('io server disconnect');
    await stillConnected(theirs, other.accessToken, first);
    expect(theirs.disconnectReason).toBeNull();
  });

  test("when a session switches workspace, then the replaced session's sockets disconnect and the new token connects", async () => {
    const { account, first, second } = await owner();
    const before = await connectWorkspace(server, first, account.accessToken);

    await switchTo(server, account, second);

    expect(await before.waitForDisconnect()).toBe('io server disconnect');
    const after = await connectWorkspace(server, second, account.accessToken);
    await stillConnected(after, account.accessToken, second);
  });

  test('when a user logs out of every session, then all their sockets disconnect', async () => {
    const { account, first, second } = await owner();
    const other = await anotherSession(server, account, second);
    const sockets = await Promise.all([
      connectWorkspace(server, first, account.accessToken),
      connectWorkspace(server, second, other.accessToken),
    ]);

    expect((await logout(account.accessToken, 'global')).status).toBe(204);

    for (const socket of sockets) expect(await socket.waitForDisconnect()).toBe('io server disconnect');
  });

  test('when logged out, then a new socket with a fresh sign-in token connects and receives events', async () => {
    const { account, first } = await owner();
    const before = await connectWorkspace(server, first, account.accessToken);
    expect((await logout(account.accessToken)).status).toBe(204);
    expect(await before.waitForDisconnect()).toBe('io server disconnect');
    expect(await openWorkspace(server, first, account.accessToken).outcome).toEqual({
      connected: false,
      code: 'UNAUTHORIZED',
    });

    const fresh = await login(server.url, account.email, account.password);
    const after = await connectWorkspace(server, first, fresh.accessToken);

    // The sign-in starts in the last active workspace, so the fresh token can act there too.
    await stillConnected(after, fresh.accessToken, first);
  });

  test('when the access token is refreshed, then a new socket with the new token connects', async () => {
    const { account, first } = await owner();
    const refreshed = await refresh(server.url, account.refreshToken);
    expect(refreshed.status).toBe(200);
    const { accessToken } = refreshed.body.data as { accessToken: string };
    expect(accessToken).not.toBe(account.accessToken);

    const socket = await connectWorkspace(server, first, accessToken);

    await stillConnected(socket, accessToken, first);
  });

  test("when a platform admin bans a user, then all the user's sockets disconnect and the token is refused from then on", async () => {
    const root = await verifiedAccount(server);
    // Granted before the account's first authenticated request (platform permissions are cached).
    await execute(
      server,
      "INSERT INTO public.user_global_roles (user_id, role_id) SELECT $1, id FROM public.global_roles WHERE name = 'platform_admin'",
      [root.user.id],
    );
    const { account, first, second } = await owner();
    const other = await anotherSession(server, account, second);
    const bystander = await owner();
    const sockets = await Promise.all([
      connectWorkspace(server, first, account.accessToken),
      connectWorkspace(server, second, account.accessToken),
      connectWorkspace(server, second, other.accessToken),
    ]);
    const unrelated = await connectWorkspace(server, bystander.first, bystander.account.accessToken);

    const banned = await request(server.url)
      .patch(`${API}/users/${account.user.id}/status`)
      .set(bearer(root.accessToken))
      .send({ status: 'banned' });
    expect(banned.status).toBe(200);
    expect(banned.body.data.status).toBe('banned');

    for (const socket of sockets) expect(await socket.waitForDisconnect()).toBe('io server disconnect');
    expect(await openWorkspace(server, first, other.accessToken).outcome).toEqual({
      connected: false,
      code: 'UNAUTHORIZED',
    });
    await stillConnected(unrelated, bystander.account.accessToken, bystander.first);
  });

  test("when a user changes their password, then their other sessions' sockets disconnect and the changing session's socket stays", async () => {
    const { account, first, second } = await owner();
    const other = await anotherSession(server, account, first);
    const [kept, keptElsewhere, ended, endedElsewhere] = await Promise.all([
      connectWorkspace(server, first, account.accessToken),
      connectWorkspace(server, second, account.accessToken),
      connectWorkspace(server, first, other.accessToken),
      connectWorkspace(server, second, other.accessToken),
    ]);

    const changed = await request(server.url)
      .put(`${API}/users/me`)
      .set(bearer(account.accessToken))
      .send({ currentPassword: account.password, newPassword: OTHER_STRONG_PASSWORD });
    expect(changed.status).toBe(200);

    expect(await ended.waitForDisconnect()).toBe('io server disconnect');
    expect(await endedElsewhere.waitForDisconnect()).toBe('io server disconnect');
    await stillConnected(kept, account.accessToken, first);
    expect(keptElsewhere.socket.connected).toBe(true);
    expect(keptElsewhere.disconnectReason).toBeNull();
    expect(await openWorkspace(server, first, other.accessToken).outcome).toEqual({
      connected: false,
      code: 'UNAUTHORIZED',
    });
  });

  test('when a user deletes their account, then all their sockets disconnect', async () => {
    const { account, first, second } = await owner();
    const sockets = await Promise.all([
      connectWorkspace(server, first, account.accessToken),
      connectWorkspace(server, second, account.accessToken),
    ]);

    const deleted = await request(server.url)
      .delete(`${API}/users/me`)
      .set(bearer(account.accessToken))
      .send({ password: account.password });
    expect(deleted.status).toBe(204);

    for (const socket of sockets) expect(await socket.waitForDisconnect()).toBe('io server disconnect');
  });
});

describe('realtime: graceful stop', () => {
  test('when the server stops with a client connected, then stop resolves promptly and the client sees a disconnect', async () => {
    const server = await startTestServer();
    let stopped = false;
    try {
      const account: Account = await verifiedAccount(server);
      const ws = await createWorkspace(server, account, 'Stopping Co');
      await switchTo(server, account, ws.id);
      const client = await connectWorkspace(server, ws.id, account.accessToken);

      const started = Date.now();
      await server.stop();
      stopped = true;

      expect(Date.now() - started).toBeLessThan(2_000);
      expect(await client.waitForDisconnect(1_000)).toBe('transport close');
    } finally {
      closeAllClients();
      if (!stopped) await server.stop();
    }
  });
});
