import request from 'supertest';
import { API, expectError, register, STRONG_PASSWORD, uniqueEmail } from '../../support/auth-helpers';
import { startTestServer, type TestServer } from '../../support/test-server';

const MAX = 3;
const WINDOW_SECONDS = 60;

describe('the stricter rate limit of credential routes', () => {
  let server: TestServer;
  let nextIp = 1;
  /** A client address no other test has used, so per-IP counters never carry over between tests. */
  const freshIp = () => `198.51.100.${nextIp++}`;

  // register() calls come from the socket address without X-Forwarded-For and share the register
  // route's own budget of MAX: this file registers only twice.
  beforeAll(async () => {
    server = await startTestServer({
      AUTH_RATE_LIMIT_MAX: String(MAX),
      AUTH_RATE_LIMIT_WINDOW_MS: String(WINDOW_SECONDS * 1000),
      TRUST_PROXY: 'true',
    });
  });
  afterAll(() => server.stop());

  const loginFrom = (forwardedFor: string, email: string, password = 'Wrong-Password-0000') =>
    request(server.url).post(`${API}/auth/login`).set('X-Forwarded-For', forwardedFor).send({ email, password });

  test('when the same client tries a 4th login for one email, then 429 RATE_LIMITED with Retry-After, even with the right password', async () => {
    const { email } = await register(server.url);
    const ip = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < MAX; i += 1) statuses.push((await loginFrom(ip, email)).status);

    const res = await loginFrom(ip, email, STRONG_PASSWORD);

    expect(statuses).toEqual([401, 401, 401]);
    expectError(res, 429, 'RATE_LIMITED');
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
  });

  test('when the attempts on one email come from different addresses and letter cases, then the 4th is still 429', async () => {
    const email = uniqueEmail();
    const variants = [email, email.toUpperCase(), ` ${email} `];
    const statuses: number[] = [];
    for (const variant of variants) statuses.push((await loginFrom(freshIp(), variant)).status);

    const res = await loginFrom(freshIp(), email);

    expect(statuses).toEqual([401, 401, 401]);
    expectError(res, 429, 'RATE_LIMITED');
    expect(res.headers['retry-after']).toBeDefined();
  });

  test('when one address tries many different emails, then its 4th attempt is 429', async () => {
    const ip = freshIp();
    for (let i = 0; i < MAX; i += 1) await loginFrom(ip, uniqueEmail());

    expectError(await loginFrom(ip, uniqueEmail()), 429, 'RATE_LIMITED');
  });

  test('when an email and an address are both fresh, then the login is not limited by the others', async () => {
    const { email } = await register(server.url);

    expect((await loginFrom(freshIp(), email, STRONG_PASSWORD)).status).toBe(200);
  });

  test('when the limit of login is spent, then other credential routes keep their own budget', async () => {
    const ip = freshIp();
    const email = uniqueEmail();
    for (let i = 0; i <= MAX; i += 1) await loginFrom(ip, email);

    const res = await request(server.url)
      .post(`${API}/auth/forgot-password`)
      .set('X-Forwarded-For', ip)
      .send({ email });

    expect(res.status).toBe(202);
  });

  // Behind a proxy that appends the peer address (nginx $proxy_add_x_forwarded_for), the left-most
  // entries are whatever the client sent; only the right-most one was written by the proxy.
  test('when a client behind one proxy forges the left part of X-Forwarded-For, then its per-address limit still bites', async () => {
    const realClient = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i <= MAX; i += 1) {
      statuses.push((await loginFrom(`203.0.113.${i + 1}, ${realClient}`, uniqueEmail())).status);
    }

    expect(statuses).toEqual([401, 401, 401, 429]);
  });
});
