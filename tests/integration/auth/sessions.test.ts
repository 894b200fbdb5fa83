import request from 'supertest';
import { API, bearer, decodeJwtPart, expectError, login, me, refresh, register } from '../../support/auth-helpers';
import { selectRows } from '../../support/test-db';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createWorkspace, switchTo, verifiedAccount } from '../../support/workspace-helpers';
import { anotherSession, closeAllClients, connectWorkspace } from '../realtime/helpers';

interface SessionItem {
  id: string;
  userAgent: string | null;
  ip: string | null;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  current: boolean;
}

describe('sessions: list and revoke my sign-ins', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(() => closeAllClients());
  afterAll(() => server.stop());

  const list = (accessToken: string, query = '') =>
    request(server.url).get(`${API}/auth/sessions${query}`).set(bearer(accessToken));
  const revoke = (accessToken: string, id: string) =>
    request(server.url).delete(`${API}/auth/sessions/${id}`).set(bearer(accessToken));
  const sid = (accessToken: string) => decodeJwtPart(accessToken, 1).sid as string;

  test('when a user lists sessions, then each live one shows device, IP, times and which is current', async () => {
    const { email, password } = await register(server.url);
    const phone = (
      await request(server.url).post(`${API}/auth/login`).set('User-Agent', 'PhoneApp/1.0').send({ email, password })
    ).body.data;
    const laptop = await login(server.url, email, password);

    const res = await list(laptop.accessToken);

    expect(res.status).toBe(200);
    expect(res.body.meta).toEqual({ page: 1, limit: 20, total: 2 });
    const items = res.body.data as SessionItem[];
    expect(items.map((s) => [s.id, s.current]).sort()).toEqual(
      [
        [sid(laptop.accessToken), true],
        [sid(phone.accessToken), false],
      ].sort(),
    );
    const phoneItem = items.find((s) => s.id === sid(phone.accessToken))!;
    expect(phoneItem).toEqual({
      id: sid(phone.accessToken),
      userAgent: 'PhoneApp/1.0',
      ip: expect.any(String),
      createdAt: expect.stringMatching(/Z$/),
      lastUsedAt: expect.stringMatching(/Z$/),
      expiresAt: expect.stringMatching(/Z$/),
      current: false,
    });
    expect(JSON.stringify(res.body)).not.toContain(phone.refreshToken);
  });

  test('when a session is revoked, then its access and refresh tokens stop at once, it leaves the list, and it is audited', async () => {
    const { email, password, user } = await register(server.url);
    const keeper = await login(server.url, email, password);
    const lost = await login(server.url, email, password);
    expect((await me(server.url, lost.accessToken)).status).toBe(200); // its liveness is now cached

    const res = await revoke(keeper.accessToken, sid(lost.accessToken));

    expect(res.status).toBe(204);
    expectError(await me(server.url, lost.accessToken), 401, 'TOKEN_INVALID');
    expectError(await refresh(server.url, lost.refreshToken!), 401, 'SESSION_ENDED');
    expect((await me(server.url, keeper.accessToken)).status).toBe(200);
    expect(((await list(keeper.accessToken)).body.data as SessionItem[]).map((s) => s.id)).toEqual([
      sid(keeper.accessToken),
    ]);
    const audit = await selectRows<{ action: string; target_id: string }>(
      server,
      `SELECT action, target_id FROM public.audit_events WHERE actor_id = $1 AND action LIKE 'auth.session.%'`,
      [user.id],
    );
    expect(audit).toEqual([{ action: 'auth.session.revoked', target_id: sid(lost.accessToken) }]);
  });

  test('when the current session revokes itself, then its own access token stops working', async () => {
    const { email, password } = await register(server.url);
    const only = await login(server.url, email, password);

    expect((await revoke(only.accessToken, sid(only.accessToken))).status).toBe(204);

    expectError(await me(server.url, only.accessToken), 401, 'TOKEN_INVALID');
  });

  test("when a user names another user's session, then 404 SESSION_NOT_FOUND (never 403) and it keeps working", async () => {
    const mallory = await register(server.url);
    const victim = await register(server.url);
    const malloryTokens = await login(server.url, mallory.email, mallory.password);
    const victimTokens = await login(server.url, victim.email, victim.password);

    expectError(await revoke(malloryTokens.accessToken, sid(victimTokens.accessToken)), 404, 'SESSION_NOT_FOUND');
    expectError(
      await revoke(malloryTokens.accessToken, '00000000-0000-4000-8000-000000000000'),
      404,
      'SESSION_NOT_FOUND',
    );

    expect((await me(server.url, victimTokens.accessToken)).status).toBe(200);
    const refused = await selectRows<{ action: string }>(
      server,
      `SELECT action FROM public.audit_events WHERE actor_id = $1 AND target_id = $2`,
      [mallory.user.id, sid(victimTokens.accessToken)],
    );
    expect(refused).toEqual([{ action: 'auth.session.revoke_refused' }]);
  });

  test('when more refused revocations arrive at once than the pool has connections, then each is a 404 and each refusal is audited', async () => {
    // Two connections: the refusal's audit write once waited for a second connection while the
    // transaction held the first, and eight at once held both until the acquire timeout (503).
    const small = await startTestServer({ DB_POOL_MAX: '2' });
    try {
      const caller = await register(small.url);
      const tokens = await login(small.url, caller.email, caller.password);
      const ids = Array.from({ length: 8 }, (_, i) => `00000000-0000-4000-8000-00000000000${i}`);
      const answers = await Promise.all(
        ids.map((id) => request(small.url).delete(`${API}/auth/sessions/${id}`).set(bearer(tokens.accessToken))),
      );
      for (const answer of answers) expectError(answer, 404, 'SESSION_NOT_FOUND');
      const refused = await selectRows<{ target_id: string }>(
        small,
        `SELECT target_id FROM public.audit_events WHERE actor_id = $1 AND action = 'auth.session.revoke_refused' ORDER BY target_id`,
        [caller.user.id],
      );
      expect(refused.map((r) => r.target_id)).toEqual(ids);
    } finally {
      await small.stop();
    }
  });

  test('when the input is bad, then 400 in the envelope, and without a token 401', async () => {
    const { email, password } = await register(server.url);
    const tokens = await login(server.url, email, password);

    expectError(await revoke(tokens.accessToken, 'not-a-uuid'), 400, 'VALIDATION_ERROR');
    expectError(await list(tokens.accessToken, '?limit=0'), 400, 'VALIDATION_ERROR');
    expectError(await list(tokens.accessToken, '?unknown=1'), 400, 'VALIDATION_ERROR');
    expectError(await request(server.url).get(`${API}/auth/sessions`), 401, 'UNAUTHORIZED');
  });

  test("when a session is revoked, then its sockets disconnect at once and the other session's socket stays", async () => {
    const account = await verifiedAccount(server);
    const workspace = await createWorkspace(server, account, 'Sessions Co');
    await switchTo(server, account, workspace.id);
    const other = await anotherSession(server, account, workspace.id);
    const [mine, theirs] = await Promise.all([
      connectWorkspace(server, workspace.id, account.accessToken),
      connectWorkspace(server, workspace.id, other.accessToken),
    ]);

    expect((await revoke(account.accessToken, sid(other.accessToken))).status).toBe(204);

    expect(await theirs.waitForDisconnect()).toBe('io server disconnect');
    expect(mine.socket.connected).toBe(true);
    expect(mine.disconnectReason).toBeNull();
  });
});
