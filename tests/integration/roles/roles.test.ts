import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { API, bearer, expectError } from '../../support/auth-helpers';
import { mailTo, startSmtpReceiver, tokenFrom, type SmtpReceiver } from '../../support/smtp-receiver';
import { SchemaName } from '../../../src/core/domain/schema-name';
import { selectRows } from '../../support/test-db';
import { startTestServer, type TestServer } from '../../support/test-server';
import {
  createWorkspace,
  inviteAndJoin,
  switchTo,
  verifiedAccount,
  type Account,
} from '../../support/workspace-helpers';

describe('role management', () => {
  let receiver: SmtpReceiver;
  let server: TestServer;

  beforeAll(async () => {
    receiver = await startSmtpReceiver();
    server = await startTestServer(receiver.env());
  });
  afterAll(async () => {
    await server.stop();
    await receiver.close();
  });

  /** An admin in an active workspace, and a second member with the given role. */
  async function team(role = 'member') {
    const admin = await verifiedAccount(server);
    const ws = await createWorkspace(server, admin, 'Roles Inc');
    await switchTo(server, admin, ws.id);
    const other = await verifiedAccount(server);
    await inviteAndJoin(server, receiver, admin, { id: ws.id, name: 'Roles Inc' }, other, role);
    const call = (who: Account) => ({
      get: (path: string) => request(server.url).get(`${API}/workspaces/${ws.id}${path}`).set(bearer(who.accessToken)),
      post: (path: string, body: object) =>
        request(server.url).post(`${API}/workspaces/${ws.id}${path}`).set(bearer(who.accessToken)).send(body),
      put: (path: string, body: object) =>
        request(server.url).put(`${API}/workspaces/${ws.id}${path}`).set(bearer(who.accessToken)).send(body),
      delete: (path: string) =>
        request(server.url).delete(`${API}/workspaces/${ws.id}${path}`).set(bearer(who.accessToken)),
    });
    return { admin, other, ws, as: call };
  }

  const roleId = async (api: ReturnType<Awaited<ReturnType<typeof team>>['as']>, name: string) =>
    ((await api.get('/roles')).body.data as { id: string; name: string }[]).find((r) => r.name === name)!.id;
  const myPermissions = async (who: Account) =>
    (await request(server.url).get(`${API}/me/permissions`).set(bearer(who.accessToken))).body.data
      .permissions as string[];

  test('when an admin creates a custom role and assigns it, then the member gets its permissions on the next request', async () => {
    const { admin, other, as } = await team();
    const created = await as(admin).post('/roles', {
      name: 'auditor',
      description: 'Reads the trail',
      permissions: ['audit.read', 'members.read'],
    });
    expect(created.status).toBe(201);
    expect(created.body.data).toEqual(
      expect.objectContaining({ name: 'auditor', isSystem: false, permissions: ['audit.read', 'members.read'] }),
    );
    expect(await myPermissions(other)).not.toContain('audit.read');

    const set = await as(admin).put(`/members/${other.user.id}/roles`, { roles: ['member', 'auditor'] });

    expect(set.body.data.roles).toEqual(['auditor', 'member']);
    expect(await myPermissions(other)).toContain('audit.read');
    expect((await as(other).get('/audit-events')).status).toBe(200);
  });

  test('when a custom role is read and renamed, then it answers with its new name and permissions', async () => {
    const { admin, as } = await team();
    const created = await as(admin).post('/roles', { name: 'reviewers', permissions: ['members.read'] });
    const id = created.body.data.id as string;

    const read = await as(admin).get(`/roles/${id}`);
    expect(read.status).toBe(200);
    expect(read.body.data).toEqual(
      expect.objectContaining({ id, name: 'reviewers', permissions: ['members.read'], memberCount: 0 }),
    );

    const renamed = await as(admin).put(`/roles/${id}`, { name: 'auditors', description: 'Read the trail' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data).toEqual(expect.objectContaining({ id, name: 'auditors', description: 'Read the trail' }));
    expect((await as(admin).get(`/roles/${randomUUID()}`)).status).toBe(404);
  });

  test('when role input is wrong, then 409 for a duplicate name and 400 for an unknown permission', async () => {
    const { admin, as } = await team();
    expect((await as(admin).post('/roles', { name: 'editors', permissions: [] })).status).toBe(201);
    expectError(await as(admin).post('/roles', { name: 'editors' }), 409, 'ROLE_NAME_TAKEN');
    expectError(
      await as(admin).post('/roles', { name: 'x2', permissions: ['platform.users.manage'] }),
      400,
      'UNKNOWN_PERMISSION',
    );
    expect((await as(admin).post('/roles', { name: 'Bad Name!' })).status).toBe(400);
  });

  test('when system roles are edited or deleted, then 422 SYSTEM_ROLE_IMMUTABLE', async () => {
    const { admin, as } = await team();
    const adminRole = await roleId(as(admin), 'admin');
    const memberRole = await roleId(as(admin), 'member');
    expectError(
      await as(admin).put(`/roles/${adminRole}/permissions`, { permissions: [] }),
      422,
      'SYSTEM_ROLE_IMMUTABLE',
    );
    expectError(await as(admin).put(`/roles/${adminRole}`, { description: 'nope' }), 422, 'SYSTEM_ROLE_IMMUTABLE');
    expectError(await as(admin).put(`/roles/${memberRole}`, { name: 'peasant' }), 422, 'SYSTEM_ROLE_IMMUTABLE');
    expectError(await as(admin).delete(`/roles/${memberRole}`), 422, 'SYSTEM_ROLE_IMMUTABLE');
    const edited = await as(admin).put(`/roles/${memberRole}/permissions`, { permissions: ['members.read'] });
    expect(edited.body.data.permissions).toEqual(['members.read']);
  });

  test('when someone grants a permission they do not hold, then 403 PERMISSION_DENIED', async () => {
    const { admin, other, as } = await team();
    await as(admin).post('/roles', {
      name: 'role-keeper',
      permissions: ['roles.manage', 'roles.assign', 'roles.read'],
    });
    await as(admin).put(`/members/${other.user.id}/roles`, { roles: ['role-keeper'] });

    expectError(
      await as(other).post('/roles', { name: 'sneaky', permissions: ['audit.read'] }),
      403,
      'PERMISSION_DENIED',
    );
    expectError(await as(other).put(`/members/${other.user.id}/roles`, { roles: ['admin'] }), 403, 'PERMISSION_DENIED');
    expect((await as(other).post('/roles', { name: 'modest', permissions: ['roles.read'] })).status).toBe(201);
  });

  test('when the last admin would lose the role, then 422 LAST_ADMIN', async () => {
    const { admin, as } = await team();
    expectError(await as(admin).put(`/members/${admin.user.id}/roles`, { roles: ['member'] }), 422, 'LAST_ADMIN');
  });

  test('when a role still held is deleted, then 409 ROLE_IN_USE unless holders are moved', async () => {
    const { admin, other, as } = await team();
    const created = await as(admin).post('/roles', { name: 'temp', permissions: ['members.read'] });
    await as(admin).put(`/members/${other.user.id}/roles`, { roles: ['temp'] });
    const temp = created.body.data.id as string;

    expectError(await as(admin).delete(`/roles/${temp}`), 409, 'ROLE_IN_USE');
    const viewerRole = await roleId(as(admin), 'viewer');
    expect((await as(admin).delete(`/roles/${temp}?moveTo=${viewerRole}`)).status).toBe(204);
    const members = await as(admin).get('/members');
    const moved = (members.body.data as { userId: string; roles: string[] }[]).find((m) => m.userId === other.user.id);
    expect(moved?.roles).toEqual(['viewer']);
  });

  test('when a role nobody holds is deleted with moveTo naming a role of another workspace, then 404 ROLE_NOT_FOUND, the role stays and nothing is audited', async () => {
    const { admin, as } = await team();
    const lonely = (await as(admin).post('/roles', { name: 'lonely', permissions: [] })).body.data.id as string;
    const elsewhere = await team();
    const foreign = await roleId(elsewhere.as(elsewhere.admin), 'viewer');

    const res = await as(admin).delete(`/roles/${lonely}?moveTo=${foreign}`);

    expectError(res, 404, 'ROLE_NOT_FOUND');
    expect((await as(admin).get(`/roles/${lonely}`)).status).toBe(200);
    const trail = await as(admin).get('/audit-events?action=role.deleted');
    expect(trail.body.meta.total).toBe(0);
  });

  test('when a role nobody holds is deleted with moveTo naming an unknown id or itself, then it is refused', async () => {
    const { admin, as } = await team();
    const lonely = (await as(admin).post('/roles', { name: 'solo', permissions: [] })).body.data.id as string;

    expectError(await as(admin).delete(`/roles/${lonely}?moveTo=${randomUUID()}`), 404, 'ROLE_NOT_FOUND');
    expectError(await as(admin).delete(`/roles/${lonely}?moveTo=${lonely}`), 422, 'ROLE_MOVE_TARGET_INVALID');
    expect((await as(admin).get(`/roles/${lonely}`)).status).toBe(200);
    expect((await as(admin).delete(`/roles/${lonely}`)).status).toBe(204);
  });

  test('when the audit trail is read, then role changes are listed newest first and filters apply; viewers may not read it', async () => {
    const { admin, other, as } = await team('viewer');
    await as(admin).post('/roles', { name: 'trail', permissions: [] });
    const all = await as(admin).get('/audit-events?limit=100');
    expect(all.status).toBe(200);
    const actions = (all.body.data as { action: string }[]).map((e) => e.action);
    expect(actions[0]).toBe('role.created');
    expect(actions).toEqual(expect.arrayContaining(['workspace.created', 'member.invited', 'member.joined']));
    const filtered = await as(admin).get(`/audit-events?action=role.created&actor=${admin.user.id}`);
    expect(filtered.body.meta.total).toBe(1);
    expect((await as(admin).get('/audit-events?from=yesterday')).status).toBe(400);
    expectError(await as(other).get('/audit-events'), 403, 'PERMISSION_DENIED');
  });
});

describe('role changes under concurrency and references', () => {
  let receiver: SmtpReceiver;
  let server: TestServer;

  beforeAll(async () => {
    receiver = await startSmtpReceiver();
    server = await startTestServer(receiver.env());
  });
  afterAll(async () => {
    await server.stop();
    await receiver.close();
  });

  async function twoAdmins() {
    const a = await verifiedAccount(server);
    const ws = await createWorkspace(server, a, 'Twin Admins');
    await switchTo(server, a, ws.id);
    const b = await verifiedAccount(server);
    await inviteAndJoin(server, receiver, a, { id: ws.id, name: 'Twin Admins' }, b, 'admin');
    return { a, b, ws };
  }

  test('when two admins demote each other at the same moment, then one succeeds and one admin always remains', async () => {
    for (let round = 0; round < 3; round += 1) {
      const { a, b, ws } = await twoAdmins();
      const demote = (by: Account, target: Account) =>
        request(server.url)
          .put(`${API}/workspaces/${ws.id}/members/${target.user.id}/roles`)
          .set(bearer(by.accessToken))
          .send({ roles: ['member'] });
      const results = await Promise.all([demote(a, b), demote(b, a)]);
      // The loser is refused either by the last-admin rule (422) or, if the winner committed
      // first, because it is no longer an admin itself (403).
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      expect(results.map((r) => r.body.error?.code).filter(Boolean)).toEqual([
        expect.stringMatching(/^(LAST_ADMIN|PERMISSION_DENIED)$/),
      ]);
      const members = await request(server.url)
        .get(`${API}/workspaces/${ws.id}/members`)
        .set(bearer(results[0].status === 200 ? a.accessToken : b.accessToken));
      const admins = (members.body.data as { roles: string[] }[]).filter((m) => m.roles.includes('admin'));
      expect(admins).toHaveLength(1);
    }
  });

  test('when two admins leave at the same moment, then one stays', async () => {
    const { a, b, ws } = await twoAdmins();
    const leave = (who: Account) =>
      request(server.url).delete(`${API}/workspaces/${ws.id}/members/${who.user.id}`).set(bearer(who.accessToken));
    const results = await Promise.all([leave(a), leave(b)]);
    expect(results.map((r) => r.status).sort()).toEqual([204, 422]);
  });

  test('when a role used by invitations is deleted, then 204 and its pending invitation stops working', async () => {
    const { a, ws } = await twoAdmins();
    const role = await request(server.url)
      .post(`${API}/workspaces/${ws.id}/roles`)
      .set(bearer(a.accessToken))
      .send({ name: 'helper', permissions: [] });
    const invitee = await verifiedAccount(server);
    await request(server.url)
      .post(`${API}/workspaces/${ws.id}/members/invite`)
      .set(bearer(a.accessToken))
      .send({ email: invitee.email, role: 'helper' });
    const token = tokenFrom(await receiver.waitForMail(mailTo(invitee.email, 'Join Twin Admins')), 'accept-invitation');

    expect(
      (
        await request(server.url)
          .delete(`${API}/workspaces/${ws.id}/roles/${role.body.data.id}`)
          .set(bearer(a.accessToken))
      ).status,
    ).toBe(204);

    const accepted = await request(server.url)
      .post(`${API}/workspaces/${ws.id}/members/accept`)
      .set(bearer(invitee.accessToken))
      .send({ token });
    expect(accepted.status).toBe(400);
  });

  test('when the same address is invited many times at once, then every call answers 202 and one invitation stays pending', async () => {
    const { a, ws } = await twoAdmins();
    const email = `race-${Date.now()}@example.com`;
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        request(server.url)
          .post(`${API}/workspaces/${ws.id}/members/invite`)
          .set(bearer(a.accessToken))
          .send({ email, role: 'viewer' }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual([202, 202, 202, 202, 202, 202]);
    const pending = await selectRows(
      server,
      `SELECT 1 FROM ${SchemaName.forWorkspace(ws.id).quoted}.invitations WHERE email = $1 AND accepted_at IS NULL AND revoked_at IS NULL`,
      [email],
    );
    expect(pending).toHaveLength(1);
  });
});
