import request from 'supertest';
import {
  API,
  decodeJwtPart,
  expectError,
  login,
  me,
  refresh,
  register,
  type TokenBody,
} from '../../support/auth-helpers';
import { FakeClock } from '../../support/fake-clock';
import { execute, rowsAsJson, selectRows } from '../../support/test-db';
import { startTestServer, type TestServer } from '../../support/test-server';

const DAY_SECONDS = 24 * 3600;

async function signedIn(server: TestServer): Promise<TokenBody & { userId: string }> {
  const { email, password, user } = await register(server.url);
  return { ...(await login(server.url, email, password)), userId: user.id };
}

describe('refresh-token with the default 10 s grace window', () => {
  const clock = new FakeClock();
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({}, { configure: clock.install() });
  });
  afterEach(() => clock.reset());
  afterAll(() => server.stop());

  test('when a refresh token is exchanged, then a new pair of the same session arrives and works', async () => {
    const first = await signedIn(server);

    const res = await refresh(server.url, first.refreshToken!);

    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      accessToken: expect.any(String),
      refreshToken: expect.stringMatching(/^rt_/),
      expiresIn: 900,
      tokenType: 'Bearer',
      user: expect.objectContaining({ id: first.userId }),
    });
    expect(res.body.data.refreshToken).not.toBe(first.refreshToken);
    expect(res.body.data.accessToken).not.toBe(first.accessToken);
    expect(decodeJwtPart(res.body.data.accessToken, 1).sid).toBe(decodeJwtPart(first.accessToken, 1).sid);
    expect((await me(server.url, res.body.data.accessToken)).status).toBe(200);
  });

  test('when the refresh token is stored, then only its hash is kept', async () => {
    const { refreshToken, accessToken } = await signedIn(server);
    const sid = decodeJwtPart(accessToken, 1).sid;

    const rows = (await rowsAsJson(server, 'public.refresh_tokens', 'session_id = $1', [sid])).join('\n');

    expect(rows).toContain('token_hash');
    expect(rows).not.toContain(refreshToken!);
    expect(rows).not.toContain(refreshToken!.slice(3));
  });

  test('when two refreshes with the same token race inside the window, then both get 200 and the same new refresh token', async () => {
    const first = await signedIn(server);

    const [a, b] = await Promise.all([
      refresh(server.url, first.refreshToken!),
      refresh(server.url, first.refreshToken!),
    ]);

    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.data.refreshToken).toBe(b.body.data.refreshToken);
    expect(a.body.data.refreshToken).not.toBe(first.refreshToken);
    expect((await me(server.url, a.body.data.accessToken)).status).toBe(200);
    expect((await me(server.url, b.body.data.accessToken)).status).toBe(200);
    const next = await refresh(server.url, a.body.data.refreshToken);
    expect(next.status).toBe(200);
    expect((await me(server.url, next.body.data.accessToken)).status).toBe(200);
  });

  test('when a used token comes back after the 10 s window, then 401 REFRESH_TOKEN_REUSED and the session ends', async () => {
    const first = await signedIn(server);
    const second = (await refresh(server.url, first.refreshToken!)).body.data as TokenBody;
    clock.advance(11);

    const replay = await refresh(server.url, first.refreshToken!);

    expectError(replay, 401, 'REFRESH_TOKEN_REUSED');
    expectError(await refresh(server.url, second.refreshToken!), 401, 'SESSION_ENDED');
    expectError(await me(server.url, second.accessToken), 401, 'TOKEN_INVALID');
  });

  test('when a used token comes back inside the window but its successor was already used, then it is theft', async () => {
    const first = await signedIn(server);
    const second = (await refresh(server.url, first.refreshToken!)).body.data as TokenBody;
    const third = (await refresh(server.url, second.refreshToken!)).body.data as TokenBody;

    const replay = await refresh(server.url, first.refreshToken!);

    expectError(replay, 401, 'REFRESH_TOKEN_REUSED');
    expectError(await refresh(server.url, third.refreshToken!), 401, 'SESSION_ENDED');
  });

  test('when the refresh token is unknown, then 401 REFRESH_TOKEN_INVALID', async () => {
    const res = await refresh(server.url, `rt_${'A'.repeat(43)}`);

    expectError(res, 401, 'REFRESH_TOKEN_INVALID');
  });

  test('when an access token is sent as the refresh token, then it is refused before any lookup', async () => {
    const { accessToken } = await signedIn(server);

    const res = await refresh(server.url, accessToken);

    // A JWT (~380 characters) exceeds the 200-character refreshToken schema: refused as invalid input.
    expectError(res, 400, 'VALIDATION_ERROR');
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'body.refreshToken' })]);
  });

  test('when an access token is sent in the refresh cookie, then 401 REFRESH_TOKEN_INVALID', async () => {
    const { accessToken } = await signedIn(server);
    // No session has this "refresh token", so no CSRF token can exist for it either.
    const csrfToken = 'c'.repeat(43);

    const res = await request(server.url)
      .post(`${API}/auth/refresh-token`)
      .set('Cookie', [`refresh_token=${accessToken}`, `csrf_token=${csrfToken}`])
      .set('X-CSRF-Token', csrfToken)
      .send({});

    expectError(res, 401, 'REFRESH_TOKEN_INVALID');
  });

  test('when the refresh token is 8 days old, then 401 and the session is over', async () => {
    const { refreshToken } = await signedIn(server);
    clock.advance(8 * DAY_SECONDS);

    const res = await refresh(server.url, refreshToken!);

    expectError(res, 401, 'SESSION_ENDED');
  });

  test('when the access token is over 15 min old, then 401 TOKEN_INVALID, and a refresh gets a working one', async () => {
    const { accessToken, refreshToken } = await signedIn(server);
    clock.advance(901);

    expectError(await me(server.url, accessToken), 401, 'TOKEN_INVALID');
    const res = await refresh(server.url, refreshToken!);
    expect(res.status).toBe(200);
    expect((await me(server.url, res.body.data.accessToken)).status).toBe(200);
  });

  test('when the session is refreshed within each 7-day idle period, then it outlives the first refresh token', async () => {
    let { refreshToken } = await signedIn(server);

    for (const _step of [1, 2]) {
      clock.advance(6 * DAY_SECONDS);
      const res = await refresh(server.url, refreshToken!);
      expect(res.status).toBe(200);
      refreshToken = res.body.data.refreshToken;
    }
  });

  test('when the session passes its 30-day absolute lifetime, then refresh is 401 SESSION_ENDED however active it was', async () => {
    let { refreshToken } = await signedIn(server);
    // Refreshed on days 6, 12, 18, 24 and 29: never idle for long, then day 31.
    for (const days of [6, 6, 6, 6, 5]) {
      clock.advance(days * DAY_SECONDS);
      const res = await refresh(server.url, refreshToken!);
      expect(res.status).toBe(200);
      refreshToken = res.body.data.refreshToken;
    }
    clock.advance(2 * DAY_SECONDS);

    expectError(await refresh(server.url, refreshToken!), 401, 'SESSION_ENDED');
  });

  test('when the account is banned, then its refresh token is refused with 401 SESSION_ENDED', async () => {
    const { refreshToken, userId } = await signedIn(server);
    await execute(server, "UPDATE public.users SET status = 'banned' WHERE id = $1", [userId]);

    expectError(await refresh(server.url, refreshToken!), 401, 'SESSION_ENDED');
  });
});

describe('refresh-token with no grace window (REFRESH_REUSE_WINDOW_S=0)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ REFRESH_REUSE_WINDOW_S: '0' });
  });
  afterAll(() => server.stop());

  test('when a rotated token is presented again, then 401 REFRESH_TOKEN_REUSED and the whole family is revoked', async () => {
    const a = await signedIn(server);
    const b = (await refresh(server.url, a.refreshToken!)).body.data as TokenBody;
    // The session's liveness is now cached: revocation must clear it, not wait for it to expire.
    expect((await me(server.url, b.accessToken)).status).toBe(200);

    const replay = await refresh(server.url, a.refreshToken!);

    expectError(replay, 401, 'REFRESH_TOKEN_REUSED');
    expectError(await refresh(server.url, b.refreshToken!), 401, 'SESSION_ENDED');
    expectError(await me(server.url, b.accessToken), 401, 'TOKEN_INVALID');
    const sid = decodeJwtPart(b.accessToken, 1).sid;
    const audit = await selectRows<{ actor_id: string; target_id: string }>(
      server,
      "SELECT actor_id, target_id FROM public.audit_events WHERE action = 'auth.refresh.reused' AND target_id = $1",
      [sid],
    );
    expect(audit).toEqual([{ actor_id: a.userId, target_id: sid }]);
    const [session] = await selectRows<{ revoked_reason: string }>(
      server,
      'SELECT revoked_reason FROM public.sessions WHERE id = $1',
      [sid],
    );
    expect(session).toEqual({ revoked_reason: 'refresh_token_reused' });
  });

  test('when one session is revoked for reuse, then another session of the same user lives on', async () => {
    const { email, password } = await register(server.url);
    const victim = await login(server.url, email, password);
    const other = await login(server.url, email, password);
    await refresh(server.url, victim.refreshToken!);

    expect((await refresh(server.url, victim.refreshToken!)).status).toBe(401);

    expect((await me(server.url, other.accessToken)).status).toBe(200);
    expect((await refresh(server.url, other.refreshToken!)).status).toBe(200);
  });
});
