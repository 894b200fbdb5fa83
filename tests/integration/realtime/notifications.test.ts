import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { API, bearer, expectError } from '../../support/auth-helpers';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver';
import { startTestServer, type TestServer } from '../../support/test-server';
import {
  createWorkspace,
  inviteAndJoin,
  switchTo,
  verifiedAccount,
  type Account,
} from '../../support/workspace-helpers';
import { closeAllClients, connectWorkspace, ISO, UUID } from './helpers';

interface NotificationItem {
  id: string;
  type: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  readAt: string | null;
  createdAt: string;
}

const VIEW_KEYS = ['body', 'createdAt', 'data', 'id', 'readAt', 'title', 'type'];

describe('notifications REST', () => {
  let receiver: SmtpReceiver;
  let server: TestServer;
  let counter = 0;

  beforeAll(async () => {
    receiver = await startSmtpReceiver();
    server = await startTestServer(receiver.env());
  });
  afterEach(() => closeAllClients());
  afterAll(async () => {
    await server.stop();
    await receiver.close();
  });

  /**
   * An admin and three members who joined one after the other (a member, a viewer, a member):
   * the admin holds 3 member.joined notifications, the first joiner 2, the second 1, the last none.
   */
  async function scenario() {
    const admin = await verifiedAccount(server);
    const ws = { id: '', name: `Notify Co ${++counter}` };
    ws.id = (await createWorkspace(server, admin, ws.name)).id;
    await switchTo(server, admin, ws.id);
    const joiners: Account[] = [];
    for (const role of ['member', 'viewer', 'member']) {
      const account = await verifiedAccount(server);
      await inviteAndJoin(server, receiver, admin, ws, account, role);
      joiners.push(account);
    }
    return { admin, ws, joiners: joiners as [Account, Account, Account] };
  }

  const list = (account: Account, query = '') =>
    request(server.url).get(`${API}/notifications${query}`).set(bearer(account.accessToken));
  const markRead = (account: Account, id: string) =>
    request(server.url).post(`${API}/notifications/${id}/read`).set(bearer(account.accessToken));
  const readAll = (account: Account) =>
    request(server.url).post(`${API}/notifications/read-all`).set(bearer(account.accessToken));
  const joinedNotice = (joiner: Account) => ({
    id: expect.stringMatching(UUID),
    type: 'member.joined',
    title: 'Ada Lovelace joined the workspace',
    body: '',
    data: { userId: joiner.user.id, name: 'Ada Lovelace' },
    readAt: null,
    createdAt: expect.stringMatching(ISO),
  });

  test('when listed, then each member sees only their own notifications of the active workspace, newest first', async () => {
    const { admin, joiners } = await scenario();
    const [first, second, third] = joiners;

    const mine = await list(admin);

    expect(mine.status).toBe(200);
    expect(mine.body).toEqual({
      data: [joinedNotice(third), joinedNotice(second), joinedNotice(first)],
      meta: { page: 1, limit: 20, total: 3 },
    });
    expect(Object.keys(mine.body.data[0]).sort()).toEqual(VIEW_KEYS);
    const firsts = await list(first);
    expect(firsts.body).toEqual({
      data: [joinedNotice(third), joinedNotice(second)],
      meta: { page: 1, limit: 20, total: 2 },
    });
    // The viewer holds notifications.read too.
    expect((await list(second)).body).toEqual({ data: [joinedNotice(third)], meta: { page: 1, limit: 20, total: 1 } });
    expect((await list(third)).body).toEqual({ data: [], meta: { page: 1, limit: 20, total: 0 } });
    // Separate rows: nobody's list shares an id with anybody else's.
    const ids = [...mine.body.data, ...firsts.body.data].map((n: NotificationItem) => n.id);
    expect(new Set(ids).size).toBe(5);
  });

  test('when paged, then page and limit slice the newest-first list and meta reports the total', async () => {
    const { admin, joiners } = await scenario();
    const [first, second, third] = joiners;

    const one = await list(admin, '?page=1&limit=2');
    const two = await list(admin, '?page=2&limit=2');
    const three = await list(admin, '?page=3&limit=2');

    expect(one.body).toEqual({
      data: [joinedNotice(third), joinedNotice(second)],
      meta: { page: 1, limit: 2, total: 3 },
    });
    expect(two.body).toEqual({ data: [joinedNotice(first)], meta: { page: 2, limit: 2, total: 3 } });
    expect(three.body).toEqual({ data: [], meta: { page: 3, limit: 2, total: 3 } });
    expect((await list(admin, '?limit=100&unread=false')).body.meta).toEqual({ page: 1, limit: 100, total: 3 });
  });

  test.each([
    ['unread=maybe', 'query.unread'],
    ['limit=101', 'query.limit'],
    ['limit=0', 'query.limit'],
    ['page=0', 'query.page'],
  ])('when the query has %s, then 400 VALIDATION_ERROR on that parameter', async (query, path) => {
    const admin = await verifiedAccount(server);
    const ws = await createWorkspace(server, admin, `Strict Co ${++counter}`);
    await switchTo(server, admin, ws.id);

    const res = await list(admin, `?${query}`);

    expectError(res, 400, 'VALIDATION_ERROR');
    expect(res.body.error.details).toEqual([expect.objectContaining({ path })]);
  });

  test('when one notification is marked read, then it answers it with readAt, stays read on repeat, and drops out of unread=true', async () => {
    const { admin } = await scenario();
    const [newest, , oldest] = (await list(admin)).body.data as NotificationItem[];

    const read = await markRead(admin, oldest!.id);

    expect(read.status).toBe(200);
    expect(read.body.data).toEqual({ ...oldest, readAt: expect.stringMatching(ISO) });
    const again = await markRead(admin, oldest!.id);
    expect(again.status).toBe(200);
    expect(again.body.data).toEqual(read.body.data);
    const unread = await list(admin, '?unread=true');
    expect(unread.body.meta).toEqual({ page: 1, limit: 20, total: 2 });
    expect(unread.body.data.map((n: NotificationItem) => n.id)).not.toContain(oldest!.id);
    expect(unread.body.data[0].id).toBe(newest!.id);
    const all = await list(admin);
    expect(all.body.data[2]).toEqual(read.body.data);
  });

  test("when someone else's notification, an unknown id or a malformed id is marked read, then 404 NOTIFICATION_NOT_FOUND or 400, and nothing changes", async () => {
    const { admin, joiners } = await scenario();
    const [firstJoinerNewest] = (await list(joiners[0])).body.data as NotificationItem[];

    expectError(await markRead(admin, firstJoinerNewest!.id), 404, 'NOTIFICATION_NOT_FOUND');
    expectError(await markRead(admin, randomUUID()), 404, 'NOTIFICATION_NOT_FOUND');
    expectError(await markRead(admin, 'not-a-uuid'), 400, 'VALIDATION_ERROR');
    expect((await list(joiners[0], '?unread=true')).body.meta.total).toBe(2);
    expect((await list(admin, '?unread=true')).body.meta.total).toBe(3);
  });

  test('when all are marked read, then it answers how many were unread, unread=true is empty, and other members are untouched', async () => {
    const { admin, joiners } = await scenario();
    const [, , oldest] = (await list(admin)).body.data as NotificationItem[];
    const earlier = await markRead(admin, oldest!.id);
    expect(earlier.status).toBe(200);

    const res = await readAll(admin);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { updated: 2 } });
    expect((await list(admin, '?unread=true')).body).toEqual({ data: [], meta: { page: 1, limit: 20, total: 0 } });
    const all = (await list(admin)).body.data as NotificationItem[];
    // Already-read ones keep the time they were read.
    expect(all.map((n) => n.readAt)).toEqual([
      expect.stringMatching(ISO),
      expect.stringMatching(ISO),
      earlier.body.data.readAt,
    ]);
    expect((await readAll(admin)).body).toEqual({ data: { updated: 0 } });
    expect((await list(joiners[0], '?unread=true')).body.meta.total).toBe(2);
  });

  test('when the member switches workspaces, then each workspace shows only its own notifications, and one pushed live equals the listed one', async () => {
    const { admin, ws, joiners } = await scenario();
    const inW = (await list(admin)).body.data as NotificationItem[];
    const other = { id: '', name: `Notify Other ${++counter}` };
    other.id = (await createWorkspace(server, admin, other.name)).id;
    await switchTo(server, admin, other.id);
    const socket = await connectWorkspace(server, other.id, admin.accessToken);

    await inviteAndJoin(server, receiver, admin, other, joiners[0], 'member');

    const pushed = await socket.waitFor('notification:new');
    const inOther = await list(admin);
    expect(inOther.body).toEqual({ data: [joinedNotice(joiners[0])], meta: { page: 1, limit: 20, total: 1 } });
    expect(inOther.body.data[0]).toEqual(pushed);
    expect(inW.map((n) => n.id)).not.toContain(inOther.body.data[0].id);
    // A notification of the first workspace is unknown from the second one.
    expectError(await markRead(admin, inW[0]!.id), 404, 'NOTIFICATION_NOT_FOUND');
    expect((await readAll(admin)).body).toEqual({ data: { updated: 1 } });

    await switchTo(server, admin, ws.id);
    expect((await list(admin, '?unread=true')).body).toEqual({ data: inW, meta: { page: 1, limit: 20, total: 3 } });
  });

  test('when there is no active workspace, no token, or a role without notifications.read, then 403 WORKSPACE_REQUIRED, 401 and 403 PERMISSION_DENIED', async () => {
    const { admin, ws, joiners } = await scenario();
    const loner = await verifiedAccount(server);
    expectError(await list(loner), 403, 'WORKSPACE_REQUIRED');
    expectError(await readAll(loner), 403, 'WORKSPACE_REQUIRED');
    expectError(await request(server.url).get(`${API}/notifications`), 401, 'UNAUTHORIZED');
    const role = await request(server.url)
      .post(`${API}/workspaces/${ws.id}/roles`)
      .set(bearer(admin.accessToken))
      .send({ name: 'silent', permissions: ['members.read'] });
    expect(role.status).toBe(201);
    const assigned = await request(server.url)
      .put(`${API}/workspaces/${ws.id}/members/${joiners[1].user.id}/roles`)
      .set(bearer(admin.accessToken))
      .send({ roles: ['silent'] });
    expect(assigned.status).toBe(200);

    expectError(await list(joiners[1]), 403, 'PERMISSION_DENIED');
    expectError(await readAll(joiners[1]), 403, 'PERMISSION_DENIED');
    expectError(await markRead(joiners[1], randomUUID()), 403, 'PERMISSION_DENIED');
  });

  test('when the OpenAPI document is read, then the three notification routes are in it with their permission', async () => {
    const doc = (await request(server.url).get(`${API}/openapi.json`)).body as {
      paths: Record<string, Record<string, { tags: string[]; 'x-permissions': string[] }>>;
    };

    const operations = Object.fromEntries(
      Object.entries(doc.paths)
        .filter(([path]) => path.startsWith(`${API}/notifications`))
        .map(([path, ops]) => [
          path,
          Object.fromEntries(
            Object.entries(ops).map(([method, op]) => [method, { tags: op.tags, permissions: op['x-permissions'] }]),
          ),
        ]),
    );
    const documented = { tags: ['Notifications'], permissions: ['notifications.read'] };
    expect(operations).toEqual({
      [`${API}/notifications`]: { get: documented },
      [`${API}/notifications/{id}/read`]: { post: documented },
      [`${API}/notifications/read-all`]: { post: documented },
    });
  });
});
