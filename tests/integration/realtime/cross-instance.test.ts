import request from 'supertest';
import { API, bearer } from '../../support/auth-helpers';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver';
import { startTestServer, testRedisUrl, type TestServer } from '../../support/test-server';
import {
  createWorkspace,
  inviteAndJoin,
  switchTo,
  verifiedAccount,
  type Account,
} from '../../support/workspace-helpers';
import { closeAllClients, connectWorkspace, ISO, rename, UUID } from './helpers';

// Instances of one deployment share the token secrets (and, with Redis, the key prefix).
const SECRETS = {
  JWT_SECRET: 'shared-test-jwt-secret-0123456789abcdef',
  REFRESH_TOKEN_SECRET: 'shared-test-refresh-secret-0123456789ab',
};

describe('realtime across instances: authentication', () => {
  test('when a token was issued by instance A, then a socket on instance B accepts it', async () => {
    const [a, b] = [await startTestServer(SECRETS), await startTestServer(SECRETS)];
    try {
      const account = await verifiedAccount(a);
      const ws = await createWorkspace(a, account, 'Issued On A');
      await switchTo(a, account, ws.id);

      const onB = await connectWorkspace(b, ws.id, account.accessToken);

      expect(onB.socket.connected).toBe(true);
    } finally {
      closeAllClients();
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});

const redisUrl = testRedisUrl();
if (redisUrl) {
  describe('realtime across instances sharing Redis', () => {
    let receiver: SmtpReceiver;
    let a: TestServer;
    let b: TestServer;
    let counter = 0;

    beforeAll(async () => {
      receiver = await startSmtpReceiver();
      const env = {
        ...receiver.env(),
        ...SECRETS,
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: `test:realtime:${Date.now()}:`,
      };
      [a, b] = [await startTestServer(env), await startTestServer(env)];
    });
    afterEach(() => closeAllClients());
    afterAll(async () => {
      await Promise.all([a.stop(), b.stop()]);
      await receiver.close();
    });

    async function team() {
      const admin = await verifiedAccount(a);
      const ws = { id: '', name: `Shared Co ${++counter}` };
      ws.id = (await createWorkspace(a, admin, ws.name)).id;
      await switchTo(a, admin, ws.id);
      return { admin, ws };
    }

    test('when someone joins and the workspace is renamed through A, then a socket on B receives the events and the notification', async () => {
      const { admin, ws } = await team();
      const onB = await connectWorkspace(b, ws.id, admin.accessToken);

      const newcomer: Account = await verifiedAccount(a);
      await inviteAndJoin(a, receiver, admin, ws, newcomer, 'member');

      expect(await onB.waitFor('workspace:member:joined')).toEqual({ workspaceId: ws.id, userId: newcomer.user.id });
      expect(await onB.waitFor('notification:new')).toEqual({
        id: expect.stringMatching(UUID),
        type: 'member.joined',
        title: 'Ada Lovelace joined the workspace',
        body: '',
        data: { userId: newcomer.user.id, name: 'Ada Lovelace' },
        readAt: null,
        createdAt: expect.stringMatching(ISO),
      });
      await rename(a, admin.accessToken, ws.id, 'Renamed On A');
      expect(await onB.waitFor('workspace:updated')).toEqual({ workspaceId: ws.id });
    });

    test("when a member is removed through A, then the member's socket on B is disconnected and the admin's socket on B hears it", async () => {
      const { admin, ws } = await team();
      const member: Account = await verifiedAccount(a);
      await inviteAndJoin(a, receiver, admin, ws, member, 'member');
      const [adminOnB, memberOnB] = await Promise.all([
        connectWorkspace(b, ws.id, admin.accessToken),
        connectWorkspace(b, ws.id, member.accessToken),
      ]);

      const removed = await request(a.url)
        .delete(`${API}/workspaces/${ws.id}/members/${member.user.id}`)
        .set(bearer(admin.accessToken));
      expect(removed.status).toBe(204);

      expect(await memberOnB.waitForDisconnect()).toBe('io server disconnect');
      expect(await adminOnB.waitFor('workspace:member:removed')).toEqual({
        workspaceId: ws.id,
        userId: member.user.id,
      });
      const since = adminOnB.mark();
      await rename(a, admin.accessToken, ws.id, 'After Removal');
      expect(await adminOnB.waitFor('workspace:updated', { since })).toEqual({ workspaceId: ws.id });
      expect(adminOnB.socket.connected).toBe(true);
    });

    test("when a session logs out through A, then that session's socket on B is disconnected", async () => {
      const { admin, ws } = await team();
      const onB = await connectWorkspace(b, ws.id, admin.accessToken);

      const logout = await request(a.url).post(`${API}/auth/logout`).set(bearer(admin.accessToken)).send({});
      expect(logout.status).toBe(204);

      expect(await onB.waitForDisconnect()).toBe('io server disconnect');
    });
  });
}
