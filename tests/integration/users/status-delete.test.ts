import { expectError, me, refresh } from '../../support/auth-helpers';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver';
import { selectRows } from '../../support/test-db';
import { startTestServer, type TestServer } from '../../support/test-server';
import { verifiedAccount, type Account } from '../../support/workspace-helpers';
import { adminWithWorkspace, as, ids, joined, loginRaw, makePlatformAdmin, USER_VIEW_KEYS } from './helpers';

describe('account status and deletion by platform admins', () => {
  let receiver: SmtpReceiver;
  let server: TestServer;
  let root: Account;

  beforeAll(async () => {
    receiver = await startSmtpReceiver();
    server = await startTestServer(receiver.env());
    root = await verifiedAccount(server);
    await makePlatformAdmin(server, root);
  });
  afterAll(async () => {
    await server.stop();
    await receiver.close();
  });

  const setStatus = (by: Account, id: string, status: string) =>
    as(server, by).patch(`/users/${id}/status`, { status });
  const auditRows = (action: string, targetId: string) =>
    selectRows<{ actor_id: string; target_id: string; metadata: Record<string, unknown> }>(
      server,
      'SELECT actor_id, target_id, metadata FROM public.audit_events WHERE action = $1 AND target_id = $2 ORDER BY at',
      [action, targetId],
    );

  test('when someone without platform.users.manage changes a status or deletes a user, then 403 PERMISSION_DENIED and nothing changes', async () => {
    const { admin } = await adminWithWorkspace(server, 'Not Platform');
    const target = await verifiedAccount(server);

    expectError(await setStatus(admin, target.user.id, 'banned'), 403, 'PERMISSION_DENIED');
    expectError(await as(server, admin).delete(`/users/${target.user.id}`), 403, 'PERMISSION_DENIED');
    expectError(await setStatus(target, target.user.id, 'banned'), 403, 'PERMISSION_DENIED');

    const after = await me(server.url, target.accessToken);
    expect(after.status).toBe(200);
    expect(after.body.data.status).toBe('active');
  });

  test('when a user is banned, then their cached session dies at once, refresh and login fail, and an unban lets them back in', async () => {
    const target = await verifiedAccount(server);
    // Warm the session cache first, so the ban must invalidate it.
    expect((await me(server.url, target.accessToken)).status).toBe(200);
    expect((await me(server.url, target.accessToken)).status).toBe(200);

    const banned = await setStatus(root, target.user.id, 'banned');

    expect(banned.status).toBe(200);
    expect(Object.keys(banned.body.data).sort()).toEqual(USER_VIEW_KEYS);
    expect(banned.body.data).toEqual(expect.objectContaining({ id: target.user.id, status: 'banned' }));
    expectError(await me(server.url, target.accessToken), 401, 'TOKEN_INVALID');
    expectError(await refresh(server.url, target.refreshToken), 401, 'SESSION_ENDED');
    expectError(await loginRaw(server, target.email, target.password), 403, 'ACCOUNT_BANNED');
    expect(await auditRows('user.status.changed', target.user.id)).toEqual([
      {
        actor_id: root.user.id,
        target_id: target.user.id,
        metadata: expect.objectContaining({ from: 'active', to: 'banned' }),
      },
    ]);

    const unbanned = await setStatus(root, target.user.id, 'active');
    expect(unbanned.status).toBe(200);
    expect(unbanned.body.data.status).toBe('active');
    const again = await loginRaw(server, target.email, target.password);
    expect(again.status).toBe(200);
    expect((await me(server.url, again.body.data.accessToken)).status).toBe(200);
    // The sessions the ban ended stay ended.
    expectError(await me(server.url, target.accessToken), 401, 'TOKEN_INVALID');
  });

  test('when a user is made inactive, then their sessions end and login answers 403 ACCOUNT_INACTIVE until reactivated', async () => {
    const target = await verifiedAccount(server);
    expect((await me(server.url, target.accessToken)).status).toBe(200);

    const res = await setStatus(root, target.user.id, 'inactive');

    expect(res.status).toBe(200);
    expect(res.body.data.status).toBe('inactive');
    expectError(await me(server.url, target.accessToken), 401, 'TOKEN_INVALID');
    expectError(await refresh(server.url, target.refreshToken), 401, 'SESSION_ENDED');
    expectError(await loginRaw(server, target.email, target.password), 403, 'ACCOUNT_INACTIVE');

    expect((await setStatus(root, target.user.id, 'active')).status).toBe(200);
    expect((await loginRaw(server, target.email, target.password)).status).toBe(200);
  });

  test('when a banned user would become inactive, then 422 STATUS_TRANSITION_REFUSED and the ban stays', async () => {
    const target = await verifiedAccount(server);
    await setStatus(root, target.user.id, 'banned');

    expectError(await setStatus(root, target.user.id, 'inactive'), 422, 'STATUS_TRANSITION_REFUSED');

    expectError(await loginRaw(server, target.email, target.password), 403, 'ACCOUNT_BANNED');
  });

  test('when a platform admin changes their own status, then 422 CANNOT_CHANGE_OWN_STATUS', async () => {
    expectError(await setStatus(root, root.user.id, 'inactive'), 422, 'CANNOT_CHANGE_OWN_STATUS');
    expectError(await setStatus(root, root.user.id, 'active'), 422, 'CANNOT_CHANGE_OWN_STATUS');
    expect((await me(server.url, root.accessToken)).body.data.status).toBe('active');
  });

  test('when the same status is set again, then 200, nothing is audited and the sessions live on', async () => {
    const target = await verifiedAccount(server);

    const res = await setStatus(root, target.user.id, 'active');

    expect(res.status).toBe(200);
    expect(res.body.data.status).toBe('active');
    expect(await auditRows('user.status.changed', target.user.id)).toEqual([]);
    expect((await me(server.url, target.accessToken)).status).toBe(200);
  });

  test.each([
    ['pending_verification', { status: 'pending_verification' }],
    ['an unknown status', { status: 'deleted' }],
    ['no status', {}],
    ['an extra key', { status: 'banned', reason: 'spam' }],
  ])('when the status body holds %s, then 400 VALIDATION_ERROR', async (_what, body) => {
    const target = await verifiedAccount(server);
    expectError(await as(server, root).patch(`/users/${target.user.id}/status`, body), 400, 'VALIDATION_ERROR');
    expect((await me(server.url, target.accessToken)).body.data.status).toBe('active');
  });

  test('when the target id is unknown or not a uuid, then 404 USER_NOT_FOUND and 400', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    expectError(await setStatus(root, unknown, 'banned'), 404, 'USER_NOT_FOUND');
    expectError(await setStatus(root, 'nope', 'banned'), 400, 'VALIDATION_ERROR');
    expectError(await as(server, root).delete(`/users/${unknown}`), 404, 'USER_NOT_FOUND');
    expectError(await as(server, root).delete('/users/nope'), 400, 'VALIDATION_ERROR');
  });

  test('when a platform admin deletes a user, then 204, the token dies, login fails, they vanish from every list, and it is audited', async () => {
    const { admin, ws } = await adminWithWorkspace(server, 'Deleted Member Co');
    const target = await joined(server, receiver, admin, ws, 'member');
    expect((await me(server.url, target.accessToken)).status).toBe(200);
    expect(ids((await as(server, admin).get('/users')).body)).toContain(target.user.id);

    const res = await as(server, root).delete(`/users/${target.user.id}`);

    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expectError(await me(server.url, target.accessToken), 401, 'TOKEN_INVALID');
    expect((await refresh(server.url, target.refreshToken)).status).toBe(401);
    expectError(await loginRaw(server, target.email, target.password), 401, 'INVALID_CREDENTIALS');

    const workspaceList = await as(server, admin).get('/users');
    expect(ids(workspaceList.body)).toEqual([admin.user.id]);
    expect(workspaceList.body.meta.total).toBe(1);
    expect((await as(server, admin).get(`/users/search?q=${encodeURIComponent(target.email)}`)).body.data).toEqual([]);
    expectError(await as(server, admin).get(`/users/${target.user.id}`), 404, 'USER_NOT_FOUND');
    const members = await as(server, admin).get(`/workspaces/${ws.id}/members`);
    expect(members.body.data.map((m: { userId: string }) => m.userId)).toEqual([admin.user.id]);

    const platform = await as(server, root).get(`/users/search?scope=platform&q=${encodeURIComponent(target.email)}`);
    expect(platform.status).toBe(200);
    expect(platform.body.data).toEqual([]);
    expectError(await as(server, root).get(`/users/${target.user.id}?scope=platform`), 404, 'USER_NOT_FOUND');
    const all = await as(server, root).get('/users?scope=platform&limit=100&sort=created_at&order=desc');
    expect(ids(all.body)).not.toContain(target.user.id);

    expect(await auditRows('user.deleted', target.user.id)).toEqual([
      { actor_id: root.user.id, target_id: target.user.id, metadata: expect.any(Object) },
    ]);
    expectError(await as(server, root).delete(`/users/${target.user.id}`), 404, 'USER_NOT_FOUND');
    expectError(await setStatus(root, target.user.id, 'active'), 404, 'USER_NOT_FOUND');
  });

  test('when a platform admin deletes themself through /users/:id, then 422 USE_SELF_SERVICE and the account stays', async () => {
    expectError(await as(server, root).delete(`/users/${root.user.id}`), 422, 'USE_SELF_SERVICE');
    expect((await me(server.url, root.accessToken)).status).toBe(200);
  });
});
