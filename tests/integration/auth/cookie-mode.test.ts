import request, { type Response } from 'supertest';
import { API, bearer, expectError, login, me, register } from '../../support/auth-helpers';
import { selectRows } from '../../support/test-db';
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

const APP_ORIGIN = 'https://app.example.com';

describe('browser (cookie) mode', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ CORS_ORIGINS: APP_ORIGIN });
  });
  afterAll(() => server.stop());

  async function cookieLogin(): Promise<{ res: Response; refreshCookie: string }> {
    const { email, password } = await register(server.url);
    const res = await request(server.url).post(`${API}/auth/login`).send({ email, password, cookie: true });
    expect(res.status).toBe(200);
    return { res, refreshCookie: setCookie(res, 'refresh_token')!.value };
  }

  /** The CSRF token of the session the refresh cookie belongs to. */
  async function csrfToken(refreshCookie: string): Promise<string> {
    const res = await request(server.url).get(`${API}/auth/csrf-token`).set('Cookie', `refresh_token=${refreshCookie}`);
    expect(res.status).toBe(200);
    return res.body.data.csrfToken;
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

  test('when the CSRF token is requested with the refresh cookie, then a readable Strict cookie is set and its value returned', async () => {
    const { refreshCookie } = await cookieLogin();

    const res = await request(server.url).get(`${API}/auth/csrf-token`).set('Cookie', `refresh_token=${refreshCookie}`);

    const cookie = setCookie(res, 'csrf_token');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { csrfToken: cookie?.value } });
    expect(cookie?.value).toMatch(/^[\w-]{43}$/);
    expect(cookie?.attributes).toEqual(expect.objectContaining({ samesite: 'strict', path: '/' }));
    expect(cookie?.attributes).not.toHaveProperty('httponly');
    // Plain HTTP (this test server): the __Host- prefix needs Secure, so the plain name is used.
    expect(setCookie(res, '__Host-csrf_token')).toBeUndefined();
  });

  test('when the CSRF token is requested without a refresh cookie, then 401 REFRESH_TOKEN_INVALID: there is no session to bind it to', async () => {
    expectError(await request(server.url).get(`${API}/auth/csrf-token`), 401, 'REFRESH_TOKEN_INVALID');
  });

  test('when a session’s CSRF token is asked for twice, or after a refresh, then it is the same token (bound to the session, not to the request)', async () => {
    const { refreshCookie } = await cookieLogin();
    const first = await csrfToken(refreshCookie);
    expect(await csrfToken(refreshCookie)).toBe(first);

    const refreshed = await cookieRefresh([`refresh_token=${refreshCookie}`, `csrf_token=${first}`], first);
    expect(refreshed.status).toBe(200);

    expect(await csrfToken(setCookie(refreshed, 'refresh_token')!.value)).toBe(first);
  });

  test('when the refresh cookie comes with the CSRF token of another session (cookie and header agree), then 403 CSRF_TOKEN_INVALID and the token is not spent', async () => {
    const victim = await cookieLogin();
    const attacker = await cookieLogin();
    const attackersToken = await csrfToken(attacker.refreshCookie);

    const res = await cookieRefresh(
      [`refresh_token=${victim.refreshCookie}`, `csrf_token=${attackersToken}`],
      attackersToken,
    );

    expectError(res, 403, 'CSRF_TOKEN_INVALID');
    const own = await csrfToken(victim.refreshCookie);
    expect((await cookieRefresh([`refresh_token=${victim.refreshCookie}`, `csrf_token=${own}`], own)).status).toBe(200);
  });

  test('when the refresh cookie comes with a made-up token in both the cookie and the header, then 403 CSRF_TOKEN_INVALID', async () => {
    const { refreshCookie } = await cookieLogin();
    const madeUp = 'z'.repeat(43);

    expectError(
      await cookieRefresh([`refresh_token=${refreshCookie}`, `csrf_token=${madeUp}`], madeUp),
      403,
      'CSRF_TOKEN_INVALID',
    );
  });

  test('when the refresh cookie comes without X-CSRF-Token, then 403 CSRF_TOKEN_INVALID and the token is not spent', async () => {
    const { refreshCookie } = await cookieLogin();
    const csrf = await csrfToken(refreshCookie);

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
    if (withCookie) cookies.push(`csrf_token=${await csrfToken(refreshCookie)}`);

    expectError(await cookieRefresh(cookies, header), 403, 'CSRF_TOKEN_INVALID');
  });

  test('when the refresh cookie comes with a matching X-CSRF-Token, then 200 and a new refresh cookie replaces it', async () => {
    const { refreshCookie } = await cookieLogin();
    const csrf = await csrfToken(refreshCookie);

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
    const csrf = await csrfToken((await cookieLogin()).refreshCookie);

    expectError(await cookieRefresh([`csrf_token=${csrf}`], csrf), 401, 'REFRESH_TOKEN_INVALID');
  });

  describe('Origin of state-changing cookie-mode requests', () => {
    test('when a cookie-mode refresh comes from an Origin not in CORS_ORIGINS, then 403 ORIGIN_NOT_ALLOWED and the token is not spent', async () => {
      const { refreshCookie } = await cookieLogin();
      const csrf = await csrfToken(refreshCookie);
      const cookies = [`refresh_token=${refreshCookie}`, `csrf_token=${csrf}`];

      const res = await cookieRefresh(cookies, csrf).set('Origin', 'https://evil.example');

      expectError(res, 403, 'ORIGIN_NOT_ALLOWED');
      expect((await cookieRefresh(cookies, csrf).set('Origin', APP_ORIGIN)).status).toBe(200);
    });

    test('when the Origin is "null" (a sandboxed or privacy-redirected page), then 403 ORIGIN_NOT_ALLOWED', async () => {
      const { refreshCookie } = await cookieLogin();
      const csrf = await csrfToken(refreshCookie);

      const res = await cookieRefresh([`refresh_token=${refreshCookie}`, `csrf_token=${csrf}`], csrf).set(
        'Origin',
        'null',
      );

      expectError(res, 403, 'ORIGIN_NOT_ALLOWED');
    });

    test('when a cookie-mode login comes from an Origin not in CORS_ORIGINS, then 403 ORIGIN_NOT_ALLOWED, no cookie and no session', async () => {
      const { email, password, user } = await register(server.url);

      const res = await request(server.url)
        .post(`${API}/auth/login`)
        .set('Origin', 'https://evil.example')
        .send({ email, password, cookie: true });

      expectError(res, 403, 'ORIGIN_NOT_ALLOWED');
      expect(setCookie(res, 'refresh_token')).toBeUndefined();
      expect(await selectRows(server, 'SELECT 1 FROM public.sessions WHERE user_id = $1', [user.id])).toEqual([]);
    });

    test('when a bearer-mode login comes from any Origin, then it is not refused: no cookie is involved', async () => {
      const { email, password } = await register(server.url);

      const res = await request(server.url)
        .post(`${API}/auth/login`)
        .set('Origin', 'https://elsewhere.example')
        .send({ email, password });

      expect(res.status).toBe(200);
    });
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
