import { randomBytes } from 'node:crypto';
import request, { type Response } from 'supertest';
import { API, bearer, expectError, login, me, register } from '../../support/auth-helpers';
import { selectRows } from '../../support/test-db';
import { startTestServer, type TestServer } from '../../support/test-server';

/** Every Set-Cookie line of a response, as sent. */
const setCookies = (res: Response): string[] => (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];

/** The production settings a real deployment must give (secrets, bcrypt cost). */
const PRODUCTION = {
  NODE_ENV: 'production',
  JWT_SECRET: randomBytes(32).toString('hex'),
  REFRESH_TOKEN_SECRET: randomBytes(32).toString('hex'),
  DATA_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
  BCRYPT_ROUNDS: '12',
};

const sessionsOf = (server: TestServer, userId: string) =>
  selectRows(server, 'SELECT id FROM public.sessions WHERE user_id = $1', [userId]);

describe('cookies in production over plain HTTP (NODE_ENV=production, TRUST_PROXY unset, no TLS: docker-compose)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(PRODUCTION);
  });
  afterAll(() => server.stop());

  test('when a signed-in user logs out, then 204 and the session ends: clearing a cookie cannot fail it', async () => {
    const { email, password } = await register(server.url);
    const { accessToken } = await login(server.url, email, password);

    const res = await request(server.url).post(`${API}/auth/logout`).set(bearer(accessToken)).send({});

    expect(res.status).toBe(204);
    expect((await me(server.url, accessToken)).status).toBe(401);
  });

  test('when a cookie-mode login is attempted, then 400 COOKIE_MODE_REQUIRES_HTTPS naming body.cookie, no cookie and no session row', async () => {
    const { email, password, user } = await register(server.url);

    const res = await request(server.url).post(`${API}/auth/login`).send({ email, password, cookie: true });

    expectError(res, 400, 'COOKIE_MODE_REQUIRES_HTTPS');
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'body.cookie' })]);
    expect(res.body.error.message).toMatch(/HTTPS/);
    expect(setCookies(res)).toEqual([]);
    expect(await sessionsOf(server, user.id)).toEqual([]);
  });

  test('when the CSRF token is requested, then 400 COOKIE_MODE_REQUIRES_HTTPS instead of a 500', async () => {
    const res = await request(server.url).get(`${API}/auth/csrf-token`).set('Cookie', 'refresh_token=rt_x');

    expectError(res, 400, 'COOKIE_MODE_REQUIRES_HTTPS');
    expect(setCookies(res)).toEqual([]);
  });

  test('when a refresh asks for cookie mode, then 400 COOKIE_MODE_REQUIRES_HTTPS and the refresh token is not spent', async () => {
    const { email, password } = await register(server.url);
    const { refreshToken } = await login(server.url, email, password);

    const res = await request(server.url).post(`${API}/auth/refresh-token`).send({ refreshToken, cookie: true });

    expectError(res, 400, 'COOKIE_MODE_REQUIRES_HTTPS');
    const bearerMode = await request(server.url).post(`${API}/auth/refresh-token`).send({ refreshToken });
    expect(bearerMode.status).toBe(200);
  });
});

describe('cookies in production behind a TLS-terminating proxy (TRUST_PROXY=true, X-Forwarded-Proto: https)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ ...PRODUCTION, TRUST_PROXY: 'true' });
  });
  afterAll(() => server.stop());

  const https = { 'X-Forwarded-Proto': 'https' };

  test('when a cookie-mode user signs in, refreshes and signs out, then every cookie is Secure and the CSRF cookie is __Host-csrf_token', async () => {
    const { email, password } = await register(server.url);
    const signedIn = await request(server.url)
      .post(`${API}/auth/login`)
      .set(https)
      .send({ email, password, cookie: true });
    expect(signedIn.status).toBe(200);
    const refreshLine = setCookies(signedIn).find((c) => c.startsWith('refresh_token='))!;
    expect(refreshLine).toMatch(/; secure/i);
    const refreshCookie = refreshLine.split(';')[0]!;

    const csrf = await request(server.url).get(`${API}/auth/csrf-token`).set(https).set('Cookie', refreshCookie);
    expect(csrf.status).toBe(200);
    const csrfLine = setCookies(csrf).find((c) => c.startsWith('__Host-csrf_token='));
    // __Host-: Secure, Path=/ and no Domain, so no subdomain or plain-HTTP page can plant it.
    expect(csrfLine).toMatch(/; path=\/(;|$)/i);
    expect(csrfLine).toMatch(/; secure/i);
    expect(csrfLine).not.toMatch(/domain=/i);
    expect(setCookies(csrf).some((c) => c.startsWith('csrf_token='))).toBe(false);
    const token = csrf.body.data.csrfToken as string;

    const refreshWithPlainName = await request(server.url)
      .post(`${API}/auth/refresh-token`)
      .set(https)
      .set('Cookie', [refreshCookie, `csrf_token=${token}`])
      .set('X-CSRF-Token', token)
      .send({});
    expectError(refreshWithPlainName, 403, 'CSRF_TOKEN_INVALID');

    const refreshed = await request(server.url)
      .post(`${API}/auth/refresh-token`)
      .set(https)
      .set('Cookie', [refreshCookie, `__Host-csrf_token=${token}`])
      .set('X-CSRF-Token', token)
      .send({});
    expect(refreshed.status).toBe(200);

    const out = await request(server.url)
      .post(`${API}/auth/logout`)
      .set(https)
      .set(bearer(refreshed.body.data.accessToken))
      .send({});
    expect(out.status).toBe(204);
    expect(setCookies(out).find((c) => c.startsWith('refresh_token='))).toMatch(/; secure/i);
  });

  test('when the same server is reached without X-Forwarded-Proto: https, then cookie mode is refused with 400', async () => {
    const { email, password } = await register(server.url);

    const res = await request(server.url).post(`${API}/auth/login`).send({ email, password, cookie: true });

    expectError(res, 400, 'COOKIE_MODE_REQUIRES_HTTPS');
  });
});
