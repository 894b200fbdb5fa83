import request from 'supertest';
import { startTestServer, testRedisUrl, type TestServer } from '../support/test-server';

// Memory always; Redis wherever this run has one (CI always does).
const stores: [string, Record<string, string>][] = [['memory', { REDIS_URL: '', REDIS_HOST: '' }]];
const redisUrl = testRedisUrl();
if (redisUrl) stores.push(['redis', { REDIS_URL: redisUrl }]);

describe.each(stores)('global rate limit with the %s store', (_store, env) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ ...env, RATE_LIMIT_MAX_REQUESTS: '3', RATE_LIMIT_WINDOW_MS: '60000' });
  });
  afterAll(() => server.stop());

  test('when a client exceeds the limit, then 429 in the envelope with Retry-After and RateLimit headers', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await request(server.url).get('/api/v1/openapi.json')).status);
    const limited = await request(server.url).get('/api/v1/openapi.json');

    expect(statuses).toEqual([200, 200, 200]);
    expect(limited.status).toBe(429);
    expect(limited.body.error).toEqual(
      expect.objectContaining({ code: 'RATE_LIMITED', requestId: expect.any(String) }),
    );
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.headers['ratelimit-limit']).toBe('3');
    expect(limited.headers['ratelimit-remaining']).toBe('0');
    expect(Number(limited.headers['ratelimit-reset'])).toBeLessThanOrEqual(60);
  });

  test('when the limit is spent, then health probes are still answered', async () => {
    const res = await request(server.url).get('/health/live');
    expect(res.status).toBe(200);
  });
});

describe.each(stores)('concurrent requests against the %s store', (_store, env) => {
  test('when twelve requests of one client arrive at once, then exactly the limit of five is served', async () => {
    const server = await startTestServer({ ...env, RATE_LIMIT_MAX_REQUESTS: '5', RATE_LIMIT_WINDOW_MS: '60000' });
    try {
      const answers = await Promise.all(
        Array.from({ length: 12 }, () => request(server.url).get('/api/v1/openapi.json')),
      );
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([...Array(5).fill(200), ...Array(7).fill(429)]);
      const remaining = answers.filter((a) => a.status === 200).map((a) => a.headers['ratelimit-remaining']);
      expect(remaining.sort()).toEqual(['0', '1', '2', '3', '4']);
    } finally {
      await server.stop();
    }
  });
});

if (redisUrl) {
  describe('rate limit shared through Redis', () => {
    test('when two instances share Redis and a key prefix, then they share one budget', async () => {
      const env = {
        REDIS_URL: redisUrl,
        RATE_LIMIT_MAX_REQUESTS: '2',
        REDIS_KEY_PREFIX: `test:shared:${Date.now()}:`,
      };
      const [a, b] = await Promise.all([startTestServer(env), startTestServer(env)]);
      try {
        expect((await request(a.url).get('/api/v1/openapi.json')).status).toBe(200);
        expect((await request(b.url).get('/api/v1/openapi.json')).status).toBe(200);
        expect((await request(a.url).get('/api/v1/openapi.json')).status).toBe(429);
      } finally {
        await Promise.all([a.stop(), b.stop()]);
      }
    });
  });
}
