import request from 'supertest';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { startTestServer, testRedisUrl, type TestServer } from '../support/test-server';

describe('health', () => {
  test('when the process is up, then /health/live answers 200', async () => {
    const server = await startTestServer({ REDIS_URL: '' });
    try {
      const res = await request(server.url).get('/health/live');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ data: { status: 'ok' } });
    } finally {
      await server.stop();
    }
  });

  describe('when the database becomes unreachable', () => {
    let proxy: TcpProxy;
    let server: TestServer;

    beforeAll(async () => {
      const db = new URL(process.env.DATABASE_URL as string);
      proxy = await startTcpProxy(db.hostname, Number(db.port || 5432));
      db.hostname = '127.0.0.1';
      db.port = String(proxy.port);
      server = await startTestServer({ DATABASE_URL: db.toString(), REDIS_URL: '' });
    });
    afterAll(async () => {
      proxy.resume();
      await server.stop();
      await proxy.close();
    });

    test('then readiness is 503 naming the database, and 200 again once it returns', async () => {
      expect((await request(server.url).get('/health/ready')).status).toBe(200);

      proxy.cut();
      const down = await request(server.url).get('/health/ready');
      expect(down.status).toBe(503);
      expect(down.body.error.code).toBe('NOT_READY');
      expect(down.body.error.details).toEqual([{ path: 'database', message: 'database did not answer' }]);
      expect(JSON.stringify(down.body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|password/);

      proxy.resume();
      const up = await request(server.url).get('/health/ready');
      expect(up.status).toBe(200);
      expect((await request(server.url).get('/health/live')).status).toBe(200);
    });
  });

  const redisUrl = testRedisUrl();
  if (redisUrl) {
    test('when Redis is configured and answers, then readiness reports both dependencies up', async () => {
      const server = await startTestServer({ REDIS_URL: redisUrl });
      try {
        const res = await request(server.url).get('/health/ready');
        expect(res.status).toBe(200);
        expect(res.body.data.checks).toEqual({ database: 'up', redis: 'up' });
      } finally {
        await server.stop();
      }
    });

    test('when Redis becomes unreachable, then readiness is 503 naming redis', async () => {
      const target = new URL(redisUrl);
      const proxy = await startTcpProxy(target.hostname, Number(target.port || 6379));
      const server = await startTestServer({ REDIS_URL: `redis://127.0.0.1:${proxy.port}` });
      try {
        proxy.cut();
        const res = await request(server.url).get('/health/ready');
        expect(res.status).toBe(503);
        expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(['redis']);
      } finally {
        await server.stop();
        await proxy.close();
      }
    });
  }
});
