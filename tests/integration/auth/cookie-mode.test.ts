import request, { type Response } from 'supertest';
import { API, bearer, expectError, login, me, register } from '../../support/auth-helpers';
import { startTestServer, type TestServer } from '../../support/test-server';

interface SetCookie {
  value: string;
  /** Attribute names lower-cased; flags map to true. */
  attributes: Record<string, string | true>;
}

/** The Set-Cookie of one cookie name in a response, parsed; undefined when absent. */
function setCookie(res: Response, name: string): SetCookie | undefined {
  const headers = (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
  const line = headers.find((h) => h.startsWith(`${name}=`));
  if (!line) return undefined;
  const [pair, ...rest] = line.split(';').map((part) => part.trim());
  const attributes = Object.fromEntries(
    rest.map((attr) => {
      const [key, ...value] = attr.split('=');
      return [key!.toLowerCase(), value.length ? value.join('=') : (true as const)];
    }),
  );
  return { value: pair!.slice(name.length + 1), attributes };
}

describe('browser (cookie) mode', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  async function cookieLogin(): Promise<{ res: Response; refreshCookie: string }> {
    const { email, password } = await register(server.url);
    const res = await request(server.url).post(`${API}/auth/login`).send({ email, password, cookie: true });
    expect(res.status).toBe(200);
    return { res, refreshCookie: setCookie(res, 'refresh_token')!.value };
  }

  async function csrfToken(): Promise<string> {
    return (await request(server.url).get(`${API}/auth/csrf-token`)).body.data.csrfToken;
  }

  const cookieRefresh = (cookies: string[], csrfHeader?: string) => {
    const req = request(server.url).post(`${API}/auth/refresh-token`).set('Cookie', cookies);
    if (csrfHeader !== undefined) req.set('X-CSRF-Token', csrfHeader);
    return req.send({});
  };

  test('when logging in with cookie true, then the refresh token is an HttpOnly Strict cookie on the auth path only', async () => {
    const { res } = await cookieLogin();

    const cookie = setCookie(res, 'refresh_token');
    expect(cookie?.value).toMatch(/^rt_[\w-]{43}$/);
    expect(cookie?.attributes).toEqual(
      expect.objectContaining({ httponly: true, samesite: 'strict', path: '/api/v1/auth' }),
    );
    expect(cookie?.attributes).not.toHaveProperty('secure'); // NODE_ENV=test; production sets Secure
    const expires = Date.parse(cookie!.attributes.expires as string);
    expect(expires - Date.now()).toBeGreaterThan(6.9 * 24 * 3600 * 1000);
    expect(res.body.data).not.toHaveProperty('refreshToken');
    expect(JSON.stringify(res.body)).not.toContain(cookie!.value);
    expect((await me(server.url, res.body.data.accessToken)).status).toBe(200);
  });

  test('when the CSRF token is requested, then a readable Strict cookie is set and its value returned', async () => {
    const res = await request(server.url).get(`${API}/auth/csrf-token`);

    const cookie = setCookie(res, 'csrf_token');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { csrfToken: cookie?.value } });
    expect(cookie?.value).toMatch(/^[\w-]{43}$/);
    expect(cookie?.attributes).toEqual(expect.objectContaining({ samesite: 'strict', path: '/' }));
    expect(cookie?.attributes).not.toHaveProperty('httponly');
  });

  test('when the refresh cookie comes without X-CSRF-Token, then 403 CSRF_TOKEN_INVALID and the token is not spent', async () => {
    const { refreshCookie } = await cookieLogin();
    const csrf = await csrfToken();

    const res = await cookieRefresh([`refresh_token=${refreshCookie}`, `csrf_token=${csrf}`]);

    expectError(res, 403, 'CSRF_TOKEN_INVALID');
    expect((await cookieRefresh([`refresh_token=${refreshCookie}`, `csrf_token=${csrf}`], csrf)).status).toBe(200);
  });

  test.each([
    ['a header that does not match the cookie', true, 'x'.repeat(43)],
    ['a header but no csrf cookie', false, 'y'.repeat(43)],
    ['an empty header and no csrf cookie', false, ''],
  ])('when the refresh cookie comes with %s, then 403 CSRF_TOKEN_INVALID', async (_case, withCookie, header) => {
    const { refreshCookie } = await cookieLogin();
    const cookies = [`refresh_token=${refreshCookie}`];
    if (withCookie) cookies.push(`csrf_token=${await csrfToken()}`);

    expectError(await cookieRefresh(cookies, header), 403, 'CSRF_TOKEN_INVALID');
  });

  test('when the refresh cookie comes with a matching X-CSRF-Token, then 200 and a new refresh cookie replaces it', async () => {
    const { refreshCookie } = await cookieLogin();
    const csrf = await csrfToken();

    const res = await cookieRefresh([`refresh_token=${refreshCookie}`, `csrf_token=${csrf}`], csrf);

    expect(res.status).toBe(200);
    const rotated = setCookie(res, 'refresh_token');
    expect(rotated?.value).toMatch(/^rt_/);
    expect(rotated?.value).not.toBe(refreshCookie);
    expect(rotated?.attributes).toEqual(expect.objectContaining({ httponly: true, path: '/api/v1/auth' }));
    expect(res.body.data).not.toHaveProperty('refreshToken');
    expect((await me(server.url, res.body.data.accessToken)).status).toBe(200);
  });

  test('when the refresh token is sent in the body, then no CSRF header is needed and no cookie is set', async () => {
    const { email, password } = await register(server.url);
    const { refreshToken } = await login(server.url, email, password);

    const res = await request(server.url).post(`${API}/auth/refresh-token`).send({ refreshToken });

    expect(res.status).toBe(200);
    expect(res.body.data.refreshToken).toMatch(/^rt_/);
    expect(setCookie(res, 'refresh_token')).toBeUndefined();
  });

  test('when neither a body token nor a refresh cookie is sent, then 401 REFRESH_TOKEN_INVALID', async () => {
    const csrf = await csrfToken();

    expectError(await cookieRefresh([`csrf_token=${csrf}`], csrf), 401, 'REFRESH_TOKEN_INVALID');
  });

  test('when a cookie-mode user logs out, then the refresh cookie is cleared on the auth path', async () => {
    const { res: signedIn } = await cookieLogin();

    const res = await request(server.url)
      .post(`${API}/auth/logout`)
      .set(bearer(signedIn.body.data.accessToken))
      .send({});

    expect(res.status).toBe(204);
    const cleared = setCookie(res, 'refresh_token');
    expect(cleared?.value).toBe('');
    expect(cleared?.attributes.path).toBe('/api/v1/auth');
    expect(Date.parse(cleared!.attributes.expires as string)).toBeLessThanOrEqual(Date.now());
  });
});
