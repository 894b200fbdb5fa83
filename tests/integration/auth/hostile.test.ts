import { randomBytes, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import request, { type Response } from 'supertest';
import {
  API,
  base64url,
  decodeJwtPart,
  expectError,
  login,
  me,
  register,
  STRONG_PASSWORD,
  uniqueEmail,
} from '../../support/auth-helpers';
import { execute } from '../../support/test-db';
import { startTestServer, type TestServer } from '../../support/test-server';

// Known to the test so it can forge tokens the server would sign, and then break one rule at a time.
const JWT_SECRET = `test-jwt-secret-${randomUUID()}`;

/** No error answer may carry internals or the secrets it was given. */
function expectNoLeak(res: Response, ...secrets: string[]): void {
  const text = JSON.stringify(res.body);
  for (const forbidden of ['stack', 'SELECT', '$2b$', 'sequelize', ...secrets]) {
    expect(text).not.toContain(forbidden);
  }
}

describe('hostile input to the authentication routes', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ JWT_SECRET });
  });
  afterAll(() => server.stop());

  const post = (path: string, body: object | string) =>
    request(server.url).post(`${API}${path}`).set('Content-Type', 'application/json').send(body);

  /** A token the server itself would issue for this session, with claims changed by the test. */
  async function forge(
    overrides: Record<string, unknown>,
    { secret = JWT_SECRET, algorithm = 'HS256' }: { secret?: string; algorithm?: jwt.Algorithm } = {},
  ): Promise<string> {
    const { email, password } = await register(server.url);
    const genuine = decodeJwtPart((await login(server.url, email, password)).accessToken, 1);
    return jwt.sign({ ...genuine, ...overrides }, secret, { algorithm });
  }

  async function accessToken(): Promise<string> {
    const { email, password } = await register(server.url);
    return (await login(server.url, email, password)).accessToken;
  }

  describe('malformed and oversized bodies', () => {
    test.each(['/auth/login', '/auth/register', '/auth/refresh-token', '/auth/forgot-password'])(
      'when %s gets malformed JSON, then 400 MALFORMED_JSON',
      async (path) => {
        const res = await post(path, '{"email": "a@example.com", "password": ');

        expectError(res, 400, 'MALFORMED_JSON');
        expectNoLeak(res);
      },
    );

    test('when the JSON tries prototype pollution, then 400 MALFORMED_JSON', async () => {
      const res = await post('/auth/login', `{"email":"${uniqueEmail()}","password":"x","__proto__":{"isAdmin":true}}`);

      expectError(res, 400, 'MALFORMED_JSON');
      expectNoLeak(res);
    });

    test.each(['/auth/login', '/auth/register', '/auth/forgot-password', '/auth/resend-verification'])(
      'when %s gets a 300-character email, then 400 VALIDATION_ERROR',
      async (path) => {
        const email = `${'a'.repeat(288)}@example.com`;
        const body = { email, password: STRONG_PASSWORD, name: 'Ada' };

        const res = await post(
          path,
          path === '/auth/login' ? { email, password: STRONG_PASSWORD } : path === '/auth/register' ? body : { email },
        );

        expectError(res, 400, 'VALIDATION_ERROR');
        expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'body.email' })]);
      },
    );

    test.each(['/auth/login', '/auth/register'])(
      'when %s gets a 10 000-character password, then 400 quickly, without hashing it',
      async (path) => {
        const password = 'p'.repeat(10_000);
        const body =
          path === '/auth/login' ? { email: uniqueEmail(), password } : { email: uniqueEmail(), password, name: 'Ada' };
        const started = Date.now();

        const res = await post(path, body);

        expect(Date.now() - started).toBeLessThan(1000);
        expectError(res, 400, 'VALIDATION_ERROR');
        expectNoLeak(res, password);
      },
    );

    test('when the email and password are not strings, then 400 VALIDATION_ERROR naming both', async () => {
      const res = await post('/auth/login', { email: { $ne: null }, password: ['a'] });

      expectError(res, 400, 'VALIDATION_ERROR');
      expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
        'body.email',
        'body.password',
      ]);
    });

    test('when the email carries SQL, then it is just an unknown address: 401 INVALID_CREDENTIALS', async () => {
      const res = await post('/auth/login', { email: "x'OR'1'='1'--@example.com", password: "' OR '1'='1" });

      expectError(res, 401, 'INVALID_CREDENTIALS');
      expectNoLeak(res);
    });
  });

  describe('forged and misused access tokens', () => {
    test('when no Authorization header is sent, then 401 UNAUTHORIZED', async () => {
      expectError(await request(server.url).get(`${API}/users/me`), 401, 'UNAUTHORIZED');
    });

    test.each([
      ['a Basic scheme', 'Basic dXNlcjpwYXNz'],
      ['a bearer with too few characters', 'Bearer abc'],
      ['a bearer with characters no JWT has', 'Bearer abc.def.ghi jkl'],
      ['a bearer over 4096 characters', `Bearer ${'a'.repeat(5000)}`],
    ])('when the header is %s, then 401 UNAUTHORIZED', async (_case, header) => {
      const res = await request(server.url).get(`${API}/users/me`).set('Authorization', header);

      expectError(res, 401, 'UNAUTHORIZED');
    });

    test('when one character of the payload is changed, then 401 TOKEN_INVALID', async () => {
      const token = await accessToken();
      const [header, payload, signature] = token.split('.') as [string, string, string];
      const i = Math.floor(payload.length / 2);
      const tampered = `${header}.${payload.slice(0, i)}${payload[i] === 'A' ? 'B' : 'A'}${payload.slice(i + 1)}.${signature}`;

      const res = await me(server.url, tampered);

      expectError(res, 401, 'TOKEN_INVALID');
      expectNoLeak(res, tampered, token);
    });

    test('when the token says alg none and carries no signature, then 401 TOKEN_INVALID', async () => {
      const claims = decodeJwtPart(await accessToken(), 1);
      const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`;

      const res = await me(server.url, unsigned);

      expectError(res, 401, 'TOKEN_INVALID');
      expectNoLeak(res, unsigned);
    });

    test('when the token is signed with another secret, then 401 TOKEN_INVALID', async () => {
      const token = await forge({}, { secret: randomBytes(48).toString('base64url') });

      expectError(await me(server.url, token), 401, 'TOKEN_INVALID');
    });

    test('when the token is signed with the right secret but another HMAC algorithm, then 401 TOKEN_INVALID', async () => {
      const token = await forge({}, { algorithm: 'HS512' });

      expectError(await me(server.url, token), 401, 'TOKEN_INVALID');
    });

    test('when a correctly signed control token is sent, then it is accepted (the forgery below is sound)', async () => {
      const token = await forge({ jti: randomUUID() });

      expect((await me(server.url, token)).status).toBe(200);
    });

    test.each([
      ['has expired', () => ({ exp: Math.floor(Date.now() / 1000) - 1, iat: Math.floor(Date.now() / 1000) - 901 })],
      ['is not of type access', () => ({ typ: 'refresh' })],
      ['is meant for another audience', () => ({ aud: 'another-api' })],
      ['comes from another issuer', () => ({ iss: 'someone-else' })],
      ['names a session that does not exist', () => ({ sid: randomUUID() })],
      ['names another user than its session', () => ({ sub: randomUUID() })],
    ])('when a correctly signed token %s, then 401 TOKEN_INVALID', async (_case, overrides) => {
      const token = await forge(overrides());

      expectError(await me(server.url, token), 401, 'TOKEN_INVALID');
    });

    test('when the refresh token is used as a bearer access token, then 401 TOKEN_INVALID', async () => {
      const { email, password } = await register(server.url);
      const { refreshToken } = await login(server.url, email, password);

      const res = await me(server.url, refreshToken!);

      expectError(res, 401, 'TOKEN_INVALID');
      expectNoLeak(res, refreshToken!);
    });

    test('when the account is banned before its live access token is first used, then 401 TOKEN_INVALID', async () => {
      const { email, password, user } = await register(server.url);
      const { accessToken: token } = await login(server.url, email, password);
      await execute(server, "UPDATE public.users SET status = 'banned' WHERE id = $1", [user.id]);

      const res = await me(server.url, token);

      expectError(res, 401, 'TOKEN_INVALID');
      expectNoLeak(res, token);
    });
  });

  describe('deleted accounts', () => {
    test('when the account is deleted, then its live access token is 401 and its password no longer signs in', async () => {
      const { email, password, user } = await register(server.url);
      const { accessToken: token } = await login(server.url, email, password);
      await execute(server, 'UPDATE public.users SET deleted_at = now() WHERE id = $1', [user.id]);

      expectError(await me(server.url, token), 401, 'TOKEN_INVALID');
      expectError(await post('/auth/login', { email, password }), 401, 'INVALID_CREDENTIALS');
    });
  });

  describe('bcrypt limits', () => {
    // bcrypt reads only the first 72 bytes; the policy accepts up to 128 characters, so the rest must count too.
    test('when a long password differs from the real one only after byte 72, then the login is refused', async () => {
      const password = `${'Correct-Horse-Battery-Staple-'.repeat(3)}tail-A`.slice(0, 100);
      const impostor = `${password.slice(0, 72)}${'Z'.repeat(28)}`;
      const { email } = await register(server.url, { password });

      const res = await post('/auth/login', { email, password: impostor });

      expectError(res, 401, 'INVALID_CREDENTIALS');
    });
  });
});
