import request from 'supertest';
import { API, bearer, login } from '../../support/auth-helpers';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy';
import { startTestServer, testRedisUrl, type TestServer } from '../../support/test-server';
import { createWorkspace, switchTo, verifiedAccount } from '../../support/workspace-helpers';

const redisUrl = testRedisUrl();

describe('fault: Redis stops mid-run', () => {
  test('when Redis is not configured, then there is nothing to lose (in-memory stand-ins)', async () => {
    const server = await startTestServer({ REDIS_URL: '' });
    try {
      expect((await request(server.url).get('/health/ready')).body.data.checks).toEqual({ database: 'up' });
    } finally {
      await server.stop();
    }
  });

  if (redisUrl) {
    describe('with Redis behind a proxy that can be cut', () => {
      let proxy: TcpProxy;
      let server: TestServer;
      beforeAll(async () => {
        const target = new URL(redisUrl);
        proxy = await startTcpProxy(target.hostname, Number(target.port || 6379));
        server = await startTestServer({ REDIS_URL: `redis://127.0.0.1:${proxy.port}` });
      });
      afterAll(async () => {
        proxy.resume();
        await server.stop();
        await proxy.close();
      });

      test('when Redis goes away, then requests are still served from the database, readiness says so, and all recovers when it returns', async () => {
        const account = await verifiedAccount(server);
        const workspace = await createWorkspace(server, account, 'Degraded');
        await switchTo(server, account, workspace.id);
        const read = () => request(server.url).get(`${API}/users`).set(bearer(account.accessToken));
        expect((await read()).status).toBe(200);

        proxy.cut();

        // Degraded mode: authentication, membership, permissions and the query come from PostgreSQL.
        expect((await read()).status).toBe(200);
        expect((await request(server.url).get(`${API}/users/me`).set(bearer(account.accessToken))).status).toBe(200);
        const again = await login(server.url, account.email, account.password);
        expect(again.accessToken).toEqual(expect.any(String));
        const ready = await request(server.url).get('/health/ready');
        expect(ready.status).toBe(503);
        expect(ready.body.error.details.map((d: { path: string }) => d.path)).toEqual(['redis']);
        // A revocation still takes effect: the session lives in the database.
        expect(
          (await request(server.url).post(`${API}/auth/logout`).set(bearer(again.accessToken)).send({})).status,
        ).toBe(204);
        expect((await request(server.url).get(`${API}/users/me`).set(bearer(again.accessToken))).status).toBe(401);

        proxy.resume();

        const deadline = Date.now() + 10_000;
        while ((await request(server.url).get('/health/ready')).status !== 200) {
          if (Date.now() > deadline) throw new Error('readiness did not recover');
          await new Promise((r) => setTimeout(r, 200));
        }
        expect((await read()).status).toBe(200);
      }, 30_000);
    });
  }
});
