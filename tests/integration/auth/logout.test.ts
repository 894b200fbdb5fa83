import request from 'supertest';
import { API, bearer, expectError, login, me, refresh, register, type TokenBody } from '../../support/auth-helpers';
import { selectRows } from '../../support/test-db';
import { startTestServer, type TestServer } from '../../support/test-server';

describe('logout', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  const logout = (accessToken: string, body: object = {}) =>
    request(server.url).post(`${API}/auth/logout`).set(bearer(accessToken)).send(body);

  /** Two sessions of one user, each already seen by the guard (so its liveness is cached). */
  async function twoSessions(): Promise<[TokenBody, TokenBody]> {
    const { email, password } = await register(server.url);
    const first = await login(server.url, email, password);
    const second = await login(server.url, email, password);
    expect((await me(server.url, first.accessToken)).status).toBe(200);
    expect((await me(server.url, second.accessToken)).status).toBe(200);
    return [first, second];
  }

  test('when a user logs out, then 204, and the access and refresh tokens of the session stop working', async () => {
    const [session] = await twoSessions();

    const res = await logout(session.accessToken);

    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expectError(await me(server.url, session.accessToken), 401, 'TOKEN_INVALID');
    expectError(await refresh(server.url, session.refreshToken!), 401, 'SESSION_ENDED');
  });

  test('when a user logs out of one session, then the other session is untouched', async () => {
    const [ending, staying] = await twoSessions();

    expect((await logout(ending.accessToken, { scope: 'local' })).status).toBe(204);

    expect((await me(server.url, staying.accessToken)).status).toBe(200);
    expect((await refresh(server.url, staying.refreshToken!)).status).toBe(200);
  });

  test('when the scope is global, then every session of the user ends', async () => {
    const [current, other] = await twoSessions();

    expect((await logout(current.accessToken, { scope: 'global' })).status).toBe(204);

    for (const session of [current, other]) {
      expectError(await me(server.url, session.accessToken), 401, 'TOKEN_INVALID');
      expectError(await refresh(server.url, session.refreshToken!), 401, 'SESSION_ENDED');
    }
  });

  test('when the scope is others, then the other sessions end and the current access token keeps working', async () => {
    const [current, other] = await twoSessions();

    expect((await logout(current.accessToken, { scope: 'others' })).status).toBe(204);

    expectError(await me(server.url, other.accessToken), 401, 'TOKEN_INVALID');
    expectError(await refresh(server.url, other.refreshToken!), 401, 'SESSION_ENDED');
    expect((await me(server.url, current.accessToken)).status).toBe(200);
    expect((await refresh(server.url, current.refreshToken!)).status).toBe(200);
  });

  test('when one user logs out globally, then the sessions of another user are untouched', async () => {
    const [mine] = await twoSessions();
    const [theirs] = await twoSessions();

    expect((await logout(mine.accessToken, { scope: 'global' })).status).toBe(204);

    expect((await me(server.url, theirs.accessToken)).status).toBe(200);
  });

  test('when the same access token logs out twice, then the second attempt is 401 TOKEN_INVALID', async () => {
    const [session] = await twoSessions();
    expect((await logout(session.accessToken)).status).toBe(204);

    expectError(await logout(session.accessToken), 401, 'TOKEN_INVALID');
  });

  test('when no access token is sent, then 401 UNAUTHORIZED', async () => {
    expectError(await request(server.url).post(`${API}/auth/logout`).send({}), 401, 'UNAUTHORIZED');
  });

  test('when the scope is unknown, then 400 VALIDATION_ERROR and the session lives on', async () => {
    const [session] = await twoSessions();

    expectError(await logout(session.accessToken, { scope: 'everyone' }), 400, 'VALIDATION_ERROR');

    expect((await me(server.url, session.accessToken)).status).toBe(200);
  });

  test('when a user logs out, then it is audited with the scope and the number of sessions ended', async () => {
    const [current] = await twoSessions();
    const res = await logout(current.accessToken, { scope: 'global' });

    const rows = await selectRows<{ action: string; metadata: object }>(
      server,
      'SELECT action, metadata FROM public.audit_events WHERE request_id = $1',
      [res.headers['x-request-id']],
    );

    expect(rows).toEqual([{ action: 'auth.logout', metadata: { scope: 'global', sessions: 2 } }]);
  });
});
