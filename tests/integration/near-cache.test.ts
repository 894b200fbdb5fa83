import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import request from 'supertest';
import { TOKENS } from '../../src/core/bootstrap/tokens';
import { API, bearer } from '../support/auth-helpers';
import { startSmtpReceiver, type SmtpReceiver } from '../support/smtp-receiver';
import { startTestServer, testRedisUrl, type TestServer } from '../support/test-server';
import { createWorkspace, inviteAndJoin, switchTo, verifiedAccount, type Account } from '../support/workspace-helpers';

const redisUrl = testRedisUrl();

const SECRETS = {
  JWT_SECRET: 'shared-test-jwt-secret-0123456789abcdef',
  REFRESH_TOKEN_SECRET: 'shared-test-refresh-secret-0123456789ab',
};

const stats = (server: TestServer) => server.container.get(TOKENS.decisions).stats()!;

/** Polls until `check` holds; fails with `what` after the bound (well above a pub/sub delivery). */
async function eventually(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const status = (server: TestServer, path: string, account: Account) =>
  request(server.url)
    .get(`${API}${path}`)
    .set(bearer(account.accessToken))
    .then((res) => res.status);

/**
 * Two instances sharing Redis: each keeps request-path decisions in process (no round trip) and
 * forgets them when the other announces a change. Without the announcement, B would keep
 * serving what it holds for the entries' TTL (60 to 300 s), so each test first proves B holds it.
 */
test('when Redis is not configured, then there is no near layer: the memory cache is in process already', async () => {
  const server = await startTestServer({ REDIS_URL: '' });
  try {
    expect(server.container.get(TOKENS.decisions).stats()).toBeNull();
  } finally {
    await server.stop();
  }
});

test('when NEAR_CACHE_MAX_ENTRIES is 0, then there is no near layer either', async () => {
  const server = await startTestServer({ NEAR_CACHE_MAX_ENTRIES: '0' });
  try {
    expect(server.container.get(TOKENS.decisions).stats()).toBeNull();
  } finally {
    await server.stop();
  }
});

if (redisUrl)
  describe('near cache across instances', () => {
    let receiver: SmtpReceiver;
    let a: TestServer;
    let b: TestServer;
    const prefix = `test:near:${randomUUID()}:`;

    beforeAll(async () => {
      receiver = await startSmtpReceiver();
      const env = { ...receiver.env(), ...SECRETS, REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix };
      [a, b] = [await startTestServer(env), await startTestServer(env)];
      await eventually('both invalidation feeds subscribed', () => stats(a).live === 1 && stats(b).live === 1);
    });
    afterAll(async () => {
      await Promise.all([a.stop(), b.stop()]);
      await receiver.close();
    });

    async function team() {
      const admin = await verifiedAccount(a);
      const ws = { id: '', name: `Near ${randomUUID().slice(0, 8)}` };
      ws.id = (await createWorkspace(a, admin, ws.name)).id;
      await switchTo(a, admin, ws.id);
      const member = await verifiedAccount(a);
      await inviteAndJoin(a, receiver, admin, ws, member, 'member');
      return { admin, member, ws };
    }

    /** Reads on B until its decisions are in-process hits. */
    async function warm(account: Account, path: string) {
      expect(await status(b, path, account)).toBe(200);
      const hits = stats(b).hits;
      expect(await status(b, path, account)).toBe(200);
      expect(stats(b).hits).toBeGreaterThan(hits);
    }

    test('when a session is signed out on A, then B refuses its token although B held the session in process', async () => {
      const { member } = await team();
      await warm(member, '/users/me');

      const out = await request(a.url).post(`${API}/auth/logout`).set(bearer(member.accessToken)).send({});
      expect(out.status).toBe(204);

      await eventually('B refuses the signed-out token', async () => (await status(b, '/users/me', member)) === 401);
    });

    test('when A removes a member, then B stops serving the workspace to them', async () => {
      const { admin, member, ws } = await team();
      await warm(member, '/users');

      const removed = await request(a.url)
        .delete(`${API}/workspaces/${ws.id}/members/${member.user.id}`)
        .set(bearer(admin.accessToken));
      expect(removed.status).toBe(204);

      await eventually('B refuses the removed member', async () => (await status(b, '/users', member)) === 404);
    });

    test("when A takes a permission from the member role, then B's next decision for a member lacks it", async () => {
      const { admin, member, ws } = await team();
      await warm(member, '/users');
      const roles = await request(a.url).get(`${API}/workspaces/${ws.id}/roles`).set(bearer(admin.accessToken));
      const memberRole = (roles.body.data as { id: string; name: string }[]).find((r) => r.name === 'member')!;

      const set = await request(a.url)
        .put(`${API}/workspaces/${ws.id}/roles/${memberRole.id}/permissions`)
        .set(bearer(admin.accessToken))
        .send({ permissions: ['members.read'] });
      expect(set.status).toBe(200);

      await eventually('B refuses users.read', async () => (await status(b, '/users', member)) === 403);
    });

    test('when A revokes an API key, then B refuses it although B held the key in process', async () => {
      const { admin, ws } = await team();
      const created = await request(a.url)
        .post(`${API}/workspaces/${ws.id}/api-keys`)
        .set(bearer(admin.accessToken))
        .send({ name: 'near', roles: ['viewer'] });
      expect(created.status).toBe(201);
      const key = { ...admin, accessToken: created.body.data.key as string };
      await warm(key, '/users');

      const revoked = await request(a.url)
        .delete(`${API}/workspaces/${ws.id}/api-keys/${created.body.data.id}`)
        .set(bearer(admin.accessToken));
      expect(revoked.status).toBe(204);

      await eventually('B refuses the revoked key', async () => (await status(b, '/users', key)) === 401);
    });

    test('when B loses its invalidation feed, then it forgets what it held and serves from Redis until resubscribed', async () => {
      const { member } = await team();
      await warm(member, '/users/me');
      expect(stats(b).entries).toBeGreaterThan(0);

      const admin = new Redis(redisUrl);
      try {
        const clients = (await admin.client('LIST')) as string;
        const feed = clients
          .split('\n')
          .find((line) => line.includes(` name=feed:${prefix}`) && line.includes('sub=1'));
        // Both instances' feeds carry the same name: kill them all, B's among them.
        const ids = clients
          .split('\n')
          .filter((line) => line.includes(` name=feed:${prefix}`))
          .map((line) => /id=(\d+)/.exec(line)![1]!);
        expect(feed).toBeDefined();
        for (const id of ids) await admin.client('KILL', 'ID', id);
      } finally {
        admin.disconnect();
      }

      await eventually('B forgot its entries', () => stats(b).entries === 0);
      // Meanwhile the session is still good: served from Redis and the database.
      expect(await status(b, '/users/me', member)).toBe(200);
      await eventually('B resubscribed', () => stats(b).live === 1);
      await warm(member, '/users/me');
      const out = await request(a.url).post(`${API}/auth/logout`).set(bearer(member.accessToken)).send({});
      expect(out.status).toBe(204);
      await eventually('B refuses the signed-out token', async () => (await status(b, '/users/me', member)) === 401);
    });
  });
