import request from 'supertest';
import { API, bearer, expectError, login } from '../../support/auth-helpers';
import { FakeClock } from '../../support/fake-clock';
import { mailTo, startSmtpReceiver, tokenFrom, type SmtpReceiver } from '../../support/smtp-receiver';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createWorkspace, switchTo, verifiedAccount, type Account } from '../../support/workspace-helpers';

describe('workspace members and invitations', () => {
  let receiver: SmtpReceiver;
  let server: TestServer;
  const clock = new FakeClock();

  beforeAll(async () => {
    receiver = await startSmtpReceiver();
    server = await startTestServer(receiver.env(), { configure: clock.install() });
  });
  afterAll(async () => {
    await server.stop();
    await receiver.close();
  });
  afterEach(() => clock.reset());

  /** An admin with an active workspace. */
  async function adminWithWorkspace() {
    const admin = await verifiedAccount(server);
    const ws = await createWorkspace(server, admin, 'Team Rocket');
    await switchTo(server, admin, ws.id);
    return { admin, ws };
  }

  async function invite(admin: Account, workspaceId: string, email: string, role = 'member') {
    const seen = new Set(receiver.mails);
    const res = await request(server.url)
      .post(`${API}/workspaces/${workspaceId}/members/invite`)
      .set(bearer(admin.accessToken))
      .send({ email, role });
    expect(res.status).toBe(202);
    const mail = await receiver.waitForMail((m) => !seen.has(m) && mailTo(email, 'Join Team Rocket')(m));
    expect(mail.text).toContain(`workspaceId=${workspaceId}`);
    return tokenFrom(mail, 'accept-invitation');
  }

  const accept = (account: Account, workspaceId: string, token: string) =>
    request(server.url)
      .post(`${API}/workspaces/${workspaceId}/members/accept`)
      .set(bearer(account.accessToken))
      .send({ token });

  const members = (account: Account, workspaceId: string) =>
    request(server.url).get(`${API}/workspaces/${workspaceId}/members`).set(bearer(account.accessToken));

  test('when an invitee accepts, then they join with the invited role and can switch in', async () => {
    const { admin, ws } = await adminWithWorkspace();
    const invitee = await verifiedAccount(server);
    const token = await invite(admin, ws.id, invitee.email.toUpperCase(), 'viewer');

    expect((await accept(invitee, ws.id, token)).status).toBe(204);

    await switchTo(server, invitee, ws.id);
    const list = await members(invitee, ws.id);
    expect(list.status).toBe(200);
    expect(list.body.data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ userId: admin.user.id, roles: ['admin'] }),
        expect.objectContaining({ userId: invitee.user.id, roles: ['viewer'] }),
      ]),
    );
    expectError(await accept(invitee, ws.id, token), 400, 'INVITATION_USED');
  });

  test('when someone else accepts, or the token is unknown, then it is refused', async () => {
    const { admin, ws } = await adminWithWorkspace();
    const invitee = await verifiedAccount(server);
    const intruder = await verifiedAccount(server);
    const token = await invite(admin, ws.id, invitee.email);

    expectError(await accept(intruder, ws.id, token), 403, 'INVITATION_EMAIL_MISMATCH');
    expectError(await accept(invitee, ws.id, 'inv_not_a_real_token'), 400, 'INVITATION_INVALID');
    expect((await accept(invitee, ws.id, token)).status).toBe(204);
  });

  test('when re-invited, then the earlier invitation no longer works', async () => {
    const { admin, ws } = await adminWithWorkspace();
    const invitee = await verifiedAccount(server);
    const first = await invite(admin, ws.id, invitee.email);
    const second = await invite(admin, ws.id, invitee.email);
    expectError(await accept(invitee, ws.id, first), 400, 'INVITATION_REVOKED');
    expect((await accept(invitee, ws.id, second)).status).toBe(204);
  });

  test('when the invitation is older than 7 days, then INVITATION_EXPIRED', async () => {
    const { admin, ws } = await adminWithWorkspace();
    const invitee = await verifiedAccount(server);
    const token = await invite(admin, ws.id, invitee.email);
    clock.advance(7 * 86_400 + 1);
    // A fresh sign-in: the old access token expired along with the invitation.
    invitee.accessToken = (await login(server.url, invitee.email, invitee.password)).accessToken;
    expectError(await accept(invitee, ws.id, token), 400, 'INVITATION_EXPIRED');
  });

  test('when inviting a member or an unknown role, then 409 and 422; without members.invite, 403', async () => {
    const { admin, ws } = await adminWithWorkspace();
    const viewer = await verifiedAccount(server);
    await accept(viewer, ws.id, await invite(admin, ws.id, viewer.email, 'viewer'));
    const send = (who: Account, body: object) =>
      request(server.url).post(`${API}/workspaces/${ws.id}/members/invite`).set(bearer(who.accessToken)).send(body);

    expectError(await send(admin, { email: viewer.email }), 409, 'ALREADY_MEMBER');
    expectError(await send(admin, { email: 'new@example.com', role: 'overlord' }), 422, 'ROLE_NOT_FOUND');
    await switchTo(server, viewer, ws.id);
    expectError(await send(viewer, { email: 'new@example.com' }), 403, 'PERMISSION_DENIED');
  });

  test('when a member invites someone as admin, then 403: nobody grants a permission they do not hold', async () => {
    const { admin, ws } = await adminWithWorkspace();
    const member = await verifiedAccount(server);
    await accept(member, ws.id, await invite(admin, ws.id, member.email, 'member'));
    await switchTo(server, member, ws.id);
    const send = (role: string) =>
      request(server.url)
        .post(`${API}/workspaces/${ws.id}/members/invite`)
        .set(bearer(member.accessToken))
        .send({ email: 'friend@example.com', role });

    expectError(await send('admin'), 403, 'PERMISSION_DENIED');
    expect((await send('viewer')).status).toBe(202);
  });

  test('when an admin removes a member, then their very next request is refused', async () => {
    const { admin, ws } = await adminWithWorkspace();
    const member = await verifiedAccount(server);
    await accept(member, ws.id, await invite(admin, ws.id, member.email));
    await switchTo(server, member, ws.id);
    expect((await members(member, ws.id)).status).toBe(200);

    const removed = await request(server.url)
      .delete(`${API}/workspaces/${ws.id}/members/${member.user.id}`)
      .set(bearer(admin.accessToken));
    expect(removed.status).toBe(204);

    expectError(await members(member, ws.id), 404, 'WORKSPACE_NOT_FOUND');
    const after = await members(admin, ws.id);
    expect(after.body.data.map((m: { userId: string }) => m.userId)).toEqual([admin.user.id]);
    expectError(
      await request(server.url).post(`${API}/workspaces/${ws.id}/switch`).set(bearer(member.accessToken)),
      404,
      'WORKSPACE_NOT_FOUND',
    );
  });

  test('when the last admin tries to leave, then 422 LAST_ADMIN; a member may leave', async () => {
    const { admin, ws } = await adminWithWorkspace();
    const member = await verifiedAccount(server);
    await accept(member, ws.id, await invite(admin, ws.id, member.email));
    await switchTo(server, member, ws.id);

    const leaveAdmin = await request(server.url)
      .delete(`${API}/workspaces/${ws.id}/members/${admin.user.id}`)
      .set(bearer(admin.accessToken));
    expectError(leaveAdmin, 422, 'LAST_ADMIN');
    const kickAdmin = await request(server.url)
      .delete(`${API}/workspaces/${ws.id}/members/${admin.user.id}`)
      .set(bearer(member.accessToken));
    expectError(kickAdmin, 403, 'PERMISSION_DENIED');
    const leave = await request(server.url)
      .delete(`${API}/workspaces/${ws.id}/members/${member.user.id}`)
      .set(bearer(member.accessToken));
    expect(leave.status).toBe(204);
  });
});
