import request from 'supertest';
import {
  API,
  decodeJwtPart,
  expectError,
  login,
  me,
  register,
  STRONG_PASSWORD,
  uniqueEmail,
  verificationToken,
} from '../../support/auth-helpers';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver';
import { execute, rowsAsJson, selectRows } from '../../support/test-db';
import { startTestServer, type TestServer } from '../../support/test-server';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('login', () => {
  let receiver: SmtpReceiver;
  let server: TestServer;

  beforeAll(async () => {
    receiver = await startSmtpReceiver();
    server = await startTestServer(receiver.env());
  });
  afterAll(async () => {
    await server.stop();
    await receiver.close();
  });

  const loginRaw = (body: object) => request(server.url).post(`${API}/auth/login`).send(body);
  /** The error body without its per-request id, to compare two refusals. */
  const withoutRequestId = (body: { error: Record<string, unknown> }) => ({ ...body.error, requestId: undefined });

  test('when the credentials are right, then 200 with a bearer pair of 15 min access and the user', async () => {
    const { email, user } = await register(server.url);

    const res = await loginRaw({ email, password: STRONG_PASSWORD });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: {
        accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
        refreshToken: expect.stringMatching(/^rt_[\w-]{43}$/),
        expiresIn: 900,
        tokenType: 'Bearer',
        user: expect.objectContaining({ id: user.id, email, lastLoginAt: expect.any(String) }),
      },
    });
    expect(JSON.stringify(res.body)).not.toMatch(/password|hash|\$2[aby]\$/i);
    expect((await me(server.url, res.body.data.accessToken)).status).toBe(200);
  });

  test('when the access token is decoded, then it holds sub, sid, jti and typ access for 900 s, and no wid', async () => {
    const { email, user } = await register(server.url);

    const { accessToken } = await login(server.url, email, STRONG_PASSWORD);

    const header = decodeJwtPart(accessToken, 0);
    const claims = decodeJwtPart(accessToken, 1);
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(claims).toEqual({
      sub: user.id,
      sid: expect.stringMatching(UUID),
      jti: expect.stringMatching(UUID),
      typ: 'access',
      iat: expect.any(Number),
      exp: expect.any(Number),
      iss: 'tenant-api',
      aud: 'tenant-api',
    });
    expect((claims.exp as number) - (claims.iat as number)).toBe(900);
    expect(claims).not.toHaveProperty('wid');
  });

  test('when one account signs in from several devices at once, then every sign-in succeeds', async () => {
    const { email, password } = await register(server.url);

    const results = await Promise.all(Array.from({ length: 6 }, () => loginRaw({ email, password })));

    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
  });

  test('when the email differs in case and surrounding spaces, then the login still succeeds', async () => {
    const { email } = await register(server.url);

    const res = await loginRaw({ email: `  ${email.toUpperCase()}  `, password: STRONG_PASSWORD });

    expect(res.status).toBe(200);
  });

  test('when the password is wrong or the email unknown, then the same 401 INVALID_CREDENTIALS', async () => {
    const { email } = await register(server.url);

    const wrongPassword = await loginRaw({ email, password: 'Not-The-Password-123' });
    const unknownEmail = await loginRaw({ email: uniqueEmail(), password: STRONG_PASSWORD });

    expectError(wrongPassword, 401, 'INVALID_CREDENTIALS');
    expectError(unknownEmail, 401, 'INVALID_CREDENTIALS');
    expect(withoutRequestId(wrongPassword.body)).toEqual(withoutRequestId(unknownEmail.body));
  });

  test('when the password only differs in case, then 401 INVALID_CREDENTIALS', async () => {
    const { email } = await register(server.url);

    const res = await loginRaw({ email, password: STRONG_PASSWORD.toUpperCase() });

    expectError(res, 401, 'INVALID_CREDENTIALS');
  });

  test.each([
    ['banned', 'ACCOUNT_BANNED'],
    ['inactive', 'ACCOUNT_INACTIVE'],
  ])('when the account is %s, then 403 %s with the right password only', async (status, code) => {
    const { email, user } = await register(server.url);
    await execute(server, 'UPDATE public.users SET status = $1 WHERE id = $2', [status, user.id]);

    const rightPassword = await loginRaw({ email, password: STRONG_PASSWORD });
    const wrongPassword = await loginRaw({ email, password: 'Not-The-Password-123' });

    expectError(rightPassword, 403, code);
    expectError(wrongPassword, 401, 'INVALID_CREDENTIALS');
  });

  test('when a login succeeds and one fails, then both are audited and no row holds a secret', async () => {
    const { email, user } = await register(server.url);
    const wrong = 'Wrong-Secret-Guess-5521';
    const tokens = await login(server.url, email, STRONG_PASSWORD);
    expect((await loginRaw({ email, password: wrong })).status).toBe(401);

    const rows = await selectRows<{ action: string; actor_id: string; target_id: string; metadata: object }>(
      server,
      `SELECT action, actor_id, target_id, metadata FROM public.audit_events
       WHERE actor_id = $1 AND action LIKE 'auth.login.%' ORDER BY at`,
      [user.id],
    );
    const whole = (await rowsAsJson(server, 'public.audit_events', 'actor_id = $1', [user.id])).join('\n');

    expect(rows).toEqual([
      {
        action: 'auth.login.succeeded',
        actor_id: user.id,
        target_id: decodeJwtPart(tokens.accessToken, 1).sid,
        metadata: {},
      },
      { action: 'auth.login.failed', actor_id: user.id, target_id: user.id, metadata: { reason: 'bad_credentials' } },
    ]);
    for (const secret of [STRONG_PASSWORD, wrong, tokens.accessToken, tokens.refreshToken!, '$2b$']) {
      expect(whole).not.toContain(secret);
    }
  });

  test('when a login for an unknown email fails, then a failure without an actor is audited', async () => {
    const email = uniqueEmail();
    const res = await loginRaw({ email, password: STRONG_PASSWORD });
    const requestId = res.headers['x-request-id'] as string;

    const rows = await selectRows<{ action: string; actor_id: string | null; metadata: object }>(
      server,
      'SELECT action, actor_id, metadata FROM public.audit_events WHERE request_id = $1',
      [requestId],
    );
    const whole = (await rowsAsJson(server, 'public.audit_events', 'request_id = $1', [requestId])).join('\n');

    expect(rows).toEqual([{ action: 'auth.login.failed', actor_id: null, metadata: { reason: 'bad_credentials' } }]);
    expect(whole).not.toContain(STRONG_PASSWORD);
  });

  describe('when REQUIRE_EMAIL_VERIFICATION is true', () => {
    let strict: TestServer;

    beforeAll(async () => {
      strict = await startTestServer({ ...receiver.env(), REQUIRE_EMAIL_VERIFICATION: 'true' });
    });
    afterAll(() => strict.stop());

    const strictLogin = (email: string, password: string) =>
      request(strict.url).post(`${API}/auth/login`).send({ email, password });

    test('when an unverified user gives the right password, then 403 EMAIL_NOT_VERIFIED', async () => {
      const { email } = await register(strict.url);

      expectError(await strictLogin(email, STRONG_PASSWORD), 403, 'EMAIL_NOT_VERIFIED');
    });

    test('when an unverified user gives a wrong password, then still 401 INVALID_CREDENTIALS', async () => {
      const { email } = await register(strict.url);

      expectError(await strictLogin(email, 'Not-The-Password-123'), 401, 'INVALID_CREDENTIALS');
    });

    test('when the user has verified the address, then the login succeeds', async () => {
      const { email } = await register(strict.url);
      const token = await verificationToken(receiver, email);
      expect((await request(strict.url).post(`${API}/auth/verify-email`).send({ token })).status).toBe(204);

      expect((await strictLogin(email, STRONG_PASSWORD)).status).toBe(200);
    });
  });
});
