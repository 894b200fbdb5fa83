import request from 'supertest';
import { API, bearer } from '../../support/auth-helpers';
import { mailTo, startSmtpReceiver, tokenFrom, type SmtpReceiver } from '../../support/smtp-receiver';
import { backgroundWorkDone } from '../../support/test-db';
import { startTestServer, type TestServer } from '../../support/test-server';
import {
  createWorkspace,
  inviteAndJoin,
  switchTo,
  verifiedAccount,
  type Account,
} from '../../support/workspace-helpers';
import {
  anotherSession,
  closeAllClients,
  connectWorkspace,
  ISO,
  openWorkspace,
  rename,
  UUID,
  type Client,
} from './helpers';

describe('realtime workspace events', () => {
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

  /** An admin in a fresh, uniquely named active workspace (invitation mails are matched by name). */
  async function team(prefix: string) {
    const admin = await verifiedAccount(server);
    const name = `${prefix} ${++counter}`;
    const ws = await createWorkspace(server, admin, name);
    await switchTo(server, admin, ws.id);
    return { admin, ws: { id: ws.id, name } };
  }

  async function joined(admin: Account, ws: { id: string; name: string }, role: string): Promise<Account> {
    const account = await verifiedAccount(server);
    await inviteAndJoin(server, receiver, admin, ws, account, role);
    // Side effects of the join (notifications and their socket events) are outbox jobs: let them
    // finish, so a socket opened afterwards hears only what the test does next.
    await backgroundWorkDone(server);
    return account;
  }

  /** Proves a socket did NOT get something: a later event on the same socket arrived first. */
  async function barrier(client: Client, token: string, workspaceId: string): Promise<void> {
    const since = client.mark();
    await rename(server, token, workspaceId, `Renamed ${++counter}`);
    expect(await client.waitFor('workspace:updated', { since })).toEqual({ workspaceId });
  }

  test('when someone joins, then connected members get workspace:member:joined and a member.joined notification, and another workspace hears nothing', async () => {
    const { admin, ws } = await team('Join Co');
    const viewer = await joined(admin, ws, 'viewer');
    const other = await team('Quiet Co');
    const [adminSocket, viewerSocket, otherSocket] = await Promise.all([
      connectWorkspace(server, ws.id, admin.accessToken),
      connectWorkspace(server, ws.id, viewer.accessToken),
      connectWorkspace(server, other.ws.id, other.admin.accessToken),
    ]);

    const newcomer = await joined(admin, ws, 'member');

    const expected = { workspaceId: ws.id, userId: newcomer.user.id };
    expect(await adminSocket.waitFor('workspace:member:joined')).toEqual(expected);
    expect(await viewerSocket.waitFor('workspace:member:joined')).toEqual(expected);
    const notification = {
      id: expect.stringMatching(UUID),
      type: 'member.joined',
      title: 'Ada Lovelace joined the workspace',
      body: '',
      data: { userId: newcomer.user.id, name: 'Ada Lovelace' },
      readAt: null,
      createdAt: expect.stringMatching(ISO),
    };
    const toAdmin = (await adminSocket.waitFor('notification:new')) as { id: string };
    const toViewer = (await viewerSocket.waitFor('notification:new')) as { id: string };
    expect(toAdmin).toEqual(notification);
    expect(toViewer).toEqual(notification);
    // One notification per recipient, each pushed only to its own recipient.
    expect(toAdmin.id).not.toBe(toViewer.id);

    await barrier(otherSocket, other.admin.accessToken, other.ws.id);
    expect(otherSocket.received.map((r) => r.event)).toEqual(['workspace:updated']);
    await barrier(adminSocket, admin.accessToken, ws.id);
    expect(adminSocket.payloads('notification:new')).toHaveLength(1);
    expect(viewerSocket.payloads('notification:new')).toHaveLength(1);

    // The joiner was not notified of their own arrival.
    const mine = await request(server.url).get(`${API}/notifications`).set(bearer(newcomer.accessToken));
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual({ data: [], meta: { page: 1, limit: 20, total: 0 } });
  });

  test('when an admin removes a member, then everyone gets workspace:member:removed and only the removed member is disconnected, only from that workspace', async () => {
    const { admin, ws } = await team('Removal Co');
    const member = await joined(admin, ws, 'member');
    // The member also runs a workspace of their own, watched from a second session.
    const home = await createWorkspace(server, member, `Member Home ${++counter}`);
    const homeSession = await anotherSession(server, member, home.id);
    const [adminSocket, memberSocket, memberHomeSocket] = await Promise.all([
      connectWorkspace(server, ws.id, admin.accessToken),
      connectWorkspace(server, ws.id, member.accessToken),
      connectWorkspace(server, home.id, member.accessToken),
    ]);

    const removed = await request(server.url)
      .delete(`${API}/workspaces/${ws.id}/members/${member.user.id}`)
      .set(bearer(admin.accessToken));
    expect(removed.status).toBe(204);

    const expected = { workspaceId: ws.id, userId: member.user.id };
    expect(await adminSocket.waitFor('workspace:member:removed')).toEqual(expected);
    expect(await memberSocket.waitForDisconnect()).toBe('io server disconnect');
    expect(memberSocket.received).toEqual([{ event: 'workspace:member:removed', payload: expected }]);

    await barrier(adminSocket, admin.accessToken, ws.id);
    expect(adminSocket.socket.connected).toBe(true);
    await barrier(memberHomeSocket, homeSession.accessToken, home.id);
    expect(memberHomeSocket.socket.connected).toBe(true);
    // And the removed member cannot come back in.
    expect(await openWorkspace(server, ws.id, member.accessToken).outcome).toEqual({
      connected: false,
      code: 'FORBIDDEN',
    });
  });

  test('when an admin creates a role, then everyone connected gets workspace:role:updated "created" with the role id', async () => {
    const { admin, ws } = await team('Roles Co');
    const viewer = await joined(admin, ws, 'viewer');
    const [adminSocket, viewerSocket] = await Promise.all([
      connectWorkspace(server, ws.id, admin.accessToken),
      connectWorkspace(server, ws.id, viewer.accessToken),
    ]);

    const created = await request(server.url)
      .post(`${API}/workspaces/${ws.id}/roles`)
      .set(bearer(admin.accessToken))
      .send({ name: 'ops', permissions: ['audit.read'] });
    expect(created.status).toBe(201);

    const expected = { workspaceId: ws.id, change: 'created', roleId: created.body.data.id };
    expect(await adminSocket.waitFor('workspace:role:updated')).toStrictEqual(expected);
    expect(await viewerSocket.waitFor('workspace:role:updated')).toStrictEqual(expected);
  });

  test('when an admin sets a member\'s roles, then everyone gets workspace:role:updated "assigned" and only that member gets a roles.changed notification', async () => {
    const { admin, ws } = await team('Assign Co');
    const member = await joined(admin, ws, 'member');
    const [adminSocket, memberSocket] = await Promise.all([
      connectWorkspace(server, ws.id, admin.accessToken),
      connectWorkspace(server, ws.id, member.accessToken),
    ]);

    const set = await request(server.url)
      .put(`${API}/workspaces/${ws.id}/members/${member.user.id}/roles`)
      .set(bearer(admin.accessToken))
      .send({ roles: ['viewer'] });
    expect(set.status).toBe(200);
    expect(set.body.data).toEqual({ roles: ['viewer'] });

    const expected = { workspaceId: ws.id, change: 'assigned', userId: member.user.id };
    expect(await adminSocket.waitFor('workspace:role:updated')).toStrictEqual(expected);
    expect(await memberSocket.waitFor('workspace:role:updated')).toStrictEqual(expected);
    expect(await memberSocket.waitFor('notification:new')).toEqual({
      id: expect.stringMatching(UUID),
      type: 'roles.changed',
      title: 'Your roles changed',
      body: 'You now hold: viewer.',
      data: { roles: ['viewer'] },
      readAt: null,
      createdAt: expect.stringMatching(ISO),
    });
    await barrier(adminSocket, admin.accessToken, ws.id);
    expect(adminSocket.payloads('notification:new')).toEqual([]);
    expect(memberSocket.payloads('notification:new')).toHaveLength(1);
  });

  test('when the workspace is renamed, then everyone connected gets workspace:updated with only its id', async () => {
    const { admin, ws } = await team('Rename Co');
    const viewer = await joined(admin, ws, 'viewer');
    const [adminSocket, viewerSocket] = await Promise.all([
      connectWorkspace(server, ws.id, admin.accessToken),
      connectWorkspace(server, ws.id, viewer.accessToken),
    ]);

    await rename(server, admin.accessToken, ws.id, 'Renamed Co');

    expect(await adminSocket.waitFor('workspace:updated')).toStrictEqual({ workspaceId: ws.id });
    expect(await viewerSocket.waitFor('workspace:updated')).toStrictEqual({ workspaceId: ws.id });
  });

  test('when the workspace is deleted, then everyone gets workspace:deleted and every socket in it is disconnected', async () => {
    const { admin, ws } = await team('Doomed Co');
    const viewer = await joined(admin, ws, 'viewer');
    const [adminSocket, viewerSocket] = await Promise.all([
      connectWorkspace(server, ws.id, admin.accessToken),
      connectWorkspace(server, ws.id, viewer.accessToken),
    ]);

    const deleted = await request(server.url).delete(`${API}/workspaces/${ws.id}`).set(bearer(admin.accessToken));
    expect(deleted.status).toBe(204);

    for (const client of [adminSocket, viewerSocket]) {
      expect(await client.waitForDisconnect()).toBe('io server disconnect');
      expect(client.received).toEqual([{ event: 'workspace:deleted', payload: { workspaceId: ws.id } }]);
    }
    expect(await openWorkspace(server, ws.id, admin.accessToken).outcome).toEqual({
      connected: false,
      code: 'FORBIDDEN',
    });
  });

  test('when someone with an account is invited, then they get invitation.received in the workspace they work in, without the token', async () => {
    const { admin, ws } = await team('Inviting Co');
    const invitee = await team('Invitee Home');
    const [adminSocket, inviteeSocket] = await Promise.all([
      connectWorkspace(server, ws.id, admin.accessToken),
      connectWorkspace(server, invitee.ws.id, invitee.admin.accessToken),
    ]);

    const invited = await request(server.url)
      .post(`${API}/workspaces/${ws.id}/members/invite`)
      .set(bearer(admin.accessToken))
      .send({ email: invitee.admin.email, role: 'member' });
    expect(invited.status).toBe(202);

    // The notification takes two outbox jobs (notify, then push) that run in no set order with
    // the others (each event also has a webhook fan-out job now): wait for it, then let a later
    // event through so a second push, if there were one, would have arrived too.
    await inviteeSocket.waitFor('notification:new');
    await barrier(inviteeSocket, invitee.admin.accessToken, invitee.ws.id);
    const pushed = inviteeSocket.payloads('notification:new');
    expect(pushed).toEqual([
      {
        id: expect.stringMatching(UUID),
        type: 'invitation.received',
        title: `You were invited to join ${ws.name}`,
        body: `Accept the invitation sent to ${invitee.admin.email} to join as member.`,
        data: { workspaceId: ws.id, workspaceName: ws.name, role: 'member' },
        readAt: null,
        createdAt: expect.stringMatching(ISO),
      },
    ]);
    const mail = await receiver.waitForMail(mailTo(invitee.admin.email, `Join ${ws.name}`));
    const token = tokenFrom(mail, 'accept-invitation');
    const serialised = JSON.stringify(pushed);
    expect(serialised).not.toContain(token);
    expect(serialised).not.toMatch(/token|inv_/i);
    // It is stored in the invitee's workspace, the one they are active in.
    const listed = await request(server.url).get(`${API}/notifications`).set(bearer(invitee.admin.accessToken));
    expect(listed.body.data).toEqual(pushed);
    // The inviter's socket in the inviting workspace got nothing.
    await barrier(adminSocket, admin.accessToken, ws.id);
    expect(adminSocket.received.map((r) => r.event)).toEqual(['workspace:updated']);
  });
});
