import { createHash } from 'node:crypto';
import request from 'supertest';
import { API, bearer, expectError } from '../../support/auth-helpers';
import { FakeClock } from '../../support/fake-clock';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver';
import { backgroundWorkDone, rowsAsJson, selectRows } from '../../support/test-db';
import { startTestServer, type TestServer } from '../../support/test-server';
import {
  createWorkspace,
  inviteAndJoin,
  switchTo,
  verifiedAccount,
  type Account,
} from '../../support/workspace-helpers';

const KEY_FORMAT = /^tak_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

describe('workspace API keys', () => {
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

  async function adminIn(name = 'Keys Inc') {
    const admin = await verifiedAccount(server);
    const ws = await createWorkspace(server, admin, name);
    await switchTo(server, admin, ws.id);
    return { admin, ws };
  }

  const createKey = (who: Account, workspaceId: string, body: object) =>
    request(server.url).post(`${API}/workspaces/${workspaceId}/api-keys`).set(bearer(who.accessToken)).send(body);

  async function keyFor(who: Account, workspaceId: string, roles: string[], extra: object = {}) {
    const res = await createKey(who, workspaceId, { name: 'robot', roles, ...extra });
    if (res.status !== 201) throw new Error(`create key answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body.data as { id: string; key: string; prefix: string };
  }

  const as = (token: string) => ({
    get: (path: string) => request(server.url).get(`${API}${path}`).set(bearer(token)),
    post: (path: string, body: object = {}) => request(server.url).post(`${API}${path}`).set(bearer(token)).send(body),
    put: (path: string, body: object) => request(server.url).put(`${API}${path}`).set(bearer(token)).send(body),
    delete: (path: string) => request(server.url).delete(`${API}${path}`).set(bearer(token)),
  });

  test('when an admin creates a key, then it is returned once and only its SHA-256 is stored', async () => {
    const { admin, ws } = await adminIn();

    const res = await createKey(admin, ws.id, { name: 'CI deploys', roles: ['viewer'] });

    expect(res.status).toBe(201);
    const created = res.body.data;
    const [, prefix, secret] = KEY_FORMAT.exec(created.key)!;
    expect(created).toEqual(
      expect.objectContaining({ name: 'CI deploys', prefix, roles: ['viewer'], revokedAt: null, lastUsedAt: null }),
    );
    const [row] = await selectRows<{ secret_hash: Buffer }>(
      server,
      'SELECT secret_hash FROM public.api_keys WHERE id = $1',
      [created.id],
    );
    expect(row!.secret_hash.equals(createHash('sha256').update(secret!).digest())).toBe(true);
    const stored = await rowsAsJson(server, 'public.api_keys', 'id = $1', [created.id]);
    expect(stored.join()).not.toContain(secret);
    const listed = await as(admin.accessToken).get(`/workspaces/${ws.id}/api-keys`);
    expect(listed.status).toBe(200);
    expect(listed.body.meta).toEqual({ page: 1, limit: 20, total: 1 });
    expect(listed.body.data[0]).toEqual(expect.objectContaining({ id: created.id, prefix, roles: ['viewer'] }));
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(listed.body.data[0]).not.toHaveProperty('key');
  });

  test('when a key calls its workspace, then it holds exactly its roles’ permissions there', async () => {
    const { admin, ws } = await adminIn();
    const { key } = await keyFor(admin, ws.id, ['viewer']);

    const members = await as(key).get(`/workspaces/${ws.id}/members`);
    const users = await as(key).get('/users');
    const invite = await as(key).post(`/workspaces/${ws.id}/members/invite`, { email: 'x@example.com' });
    const audit = await as(key).get(`/workspaces/${ws.id}/audit-events`);

    expect(members.status).toBe(200);
    expect(members.body.data.map((m: { userId: string }) => m.userId)).toEqual([admin.user.id]);
    expect(users.status).toBe(200);
    expectError(invite, 403, 'PERMISSION_DENIED');
    expectError(audit, 403, 'PERMISSION_DENIED');
  });

  test('when a role of the key gains a permission, then the key holds it on the next request', async () => {
    const { admin, ws } = await adminIn();
    const role = await as(admin.accessToken).post(`/workspaces/${ws.id}/roles`, {
      name: 'reporter',
      permissions: ['members.read'],
    });
    const { key } = await keyFor(admin, ws.id, ['reporter']);
    expectError(await as(key).get(`/workspaces/${ws.id}/audit-events`), 403, 'PERMISSION_DENIED');

    await as(admin.accessToken).put(`/workspaces/${ws.id}/roles/${role.body.data.id}/permissions`, {
      permissions: ['members.read', 'audit.read'],
    });

    expect((await as(key).get(`/workspaces/${ws.id}/audit-events`)).status).toBe(200);
  });

  test('when a key calls another workspace, auth, profile or directory routes, then it is refused', async () => {
    const { admin, ws } = await adminIn();
    const other = await adminIn('Elsewhere');
    const { key } = await keyFor(admin, ws.id, ['admin']);

    expectError(await as(key).get(`/workspaces/${other.ws.id}/members`), 403, 'API_KEY_NOT_ALLOWED');
    expectError(await as(key).get(`/workspaces/${other.ws.id}/roles`), 403, 'API_KEY_NOT_ALLOWED');
    expectError(await as(key).get('/users/me'), 403, 'API_KEY_NOT_ALLOWED');
    expectError(await as(key).put('/users/me', { timezone: 'UTC' }), 403, 'API_KEY_NOT_ALLOWED');
    expectError(await as(key).post('/auth/logout', {}), 403, 'API_KEY_NOT_ALLOWED');
    expectError(await as(key).get('/workspaces'), 403, 'API_KEY_NOT_ALLOWED');
    expectError(await as(key).post(`/workspaces/${other.ws.id}/switch`), 403, 'API_KEY_NOT_ALLOWED');
    expectError(await as(key).get('/me/permissions'), 403, 'API_KEY_NOT_ALLOWED');
    // Public routes never read the bearer: a key is not a way to refresh or sign in.
    expect((await request(server.url).post(`${API}/auth/refresh-token`).send({ refreshToken: key })).status).toBe(401);
  });

  test('when a key is revoked, then its very next request is refused, though it was just cached', async () => {
    const { admin, ws } = await adminIn();
    const { id, key } = await keyFor(admin, ws.id, ['viewer']);
    expect((await as(key).get(`/workspaces/${ws.id}/members`)).status).toBe(200);
    expect((await as(key).get(`/workspaces/${ws.id}/members`)).status).toBe(200);

    const revoked = await as(admin.accessToken).delete(`/workspaces/${ws.id}/api-keys/${id}`);

    expect(revoked.status).toBe(204);
    expectError(await as(key).get(`/workspaces/${ws.id}/members`), 401, 'API_KEY_REVOKED');
    const listed = await as(admin.accessToken).get(`/workspaces/${ws.id}/api-keys`);
    expect(listed.body.data[0].revokedAt).toEqual(expect.any(String));
  });

  test('when a key has expired, then it is refused', async () => {
    const { admin, ws } = await adminIn();
    const expiresAt = new Date(Date.now() + 3600_000).toISOString();
    const { key } = await keyFor(admin, ws.id, ['viewer'], { expiresAt });
    expect((await as(key).get(`/workspaces/${ws.id}/members`)).status).toBe(200);

    clock.advance(3601);

    expectError(await as(key).get(`/workspaces/${ws.id}/members`), 401, 'API_KEY_EXPIRED');
  });

  test('when a bearer looks like a key but is not one, then it is refused as an invalid key', async () => {
    const { admin, ws } = await adminIn();
    const { key } = await keyFor(admin, ws.id, ['viewer']);
    const wrongSecret = `${key.slice(0, 21)}${'A'.repeat(43)}`;

    expectError(await as(wrongSecret).get(`/workspaces/${ws.id}/members`), 401, 'API_KEY_INVALID');
    expectError(await as('tak_garbage').get(`/workspaces/${ws.id}/members`), 401, 'API_KEY_INVALID');
    expectError(await as(`tak_${'0'.repeat(16)}_${'B'.repeat(43)}`).get('/users'), 401, 'API_KEY_INVALID');
  });

  test('when a key acts or is refused, then the audit trail names the key as the actor', async () => {
    const { admin, ws } = await adminIn();
    const { id, key } = await keyFor(admin, ws.id, ['member']);

    const invited = await as(key).post(`/workspaces/${ws.id}/members/invite`, { email: 'bot-invite@example.com' });
    const denied = await as(key).post(`/workspaces/${ws.id}/roles`, { name: 'nope', permissions: [] });

    expect(invited.status).toBe(202);
    expect(denied.status).toBe(403);
    const events = await as(admin.accessToken).get(`/workspaces/${ws.id}/audit-events?limit=100`);
    const rows = (events.body.data as { action: string; actorId: string; metadata: Record<string, unknown> }[]).map(
      (e) => ({ action: e.action, actorId: e.actorId, actorKind: e.metadata.actorKind }),
    );
    expect(rows).toEqual(
      expect.arrayContaining([
        { action: 'member.invited', actorId: id, actorKind: 'api_key' },
        { action: 'authz.denied', actorId: id, actorKind: 'api_key' },
        { action: 'apikey.created', actorId: admin.user.id, actorKind: undefined },
      ]),
    );
  });

  test('when a key tries to create keys, or a caller grants roles beyond their own, then it is refused', async () => {
    const { admin, ws } = await adminIn();
    const { key } = await keyFor(admin, ws.id, ['admin']);
    expectError(
      await as(key).post(`/workspaces/${ws.id}/api-keys`, { name: 'child', roles: ['viewer'] }),
      403,
      'API_KEY_NOT_ALLOWED',
    );
    const keeper = await as(admin.accessToken).post(`/workspaces/${ws.id}/roles`, {
      name: 'keeper',
      permissions: ['apikeys.manage', 'members.read'],
    });
    expect(keeper.status).toBe(201);
    const other = await verifiedAccount(server);
    await inviteAndJoin(server, receiver, admin, { id: ws.id, name: 'Keys Inc' }, other, 'keeper');

    expectError(await createKey(other, ws.id, { name: 'x', roles: ['admin'] }), 403, 'PERMISSION_DENIED');
    expect((await createKey(other, ws.id, { name: 'x', roles: ['keeper'] })).status).toBe(201);
  });

  test('when the input is wrong, then it is a 4xx in the envelope', async () => {
    const { admin, ws } = await adminIn();
    expectError(await createKey(admin, ws.id, { name: 'x', roles: ['viewer'], extra: 1 }), 400, 'VALIDATION_ERROR');
    expectError(await createKey(admin, ws.id, { name: 'x', roles: [] }), 400, 'VALIDATION_ERROR');
    expectError(await createKey(admin, ws.id, { name: 'x', roles: ['nope'] }), 422, 'ROLE_NOT_FOUND');
    expectError(
      await createKey(admin, ws.id, { name: 'x', roles: ['viewer'], expiresAt: '2020-01-01T00:00:00Z' }),
      422,
      'API_KEY_EXPIRY_IN_PAST',
    );
    expectError(
      await as(admin.accessToken).delete(`/workspaces/${ws.id}/api-keys/00000000-0000-4000-8000-000000000000`),
      404,
      'API_KEY_NOT_FOUND',
    );
  });

  test('when a key is used often, then last use is written at most once a minute', async () => {
    const { admin, ws } = await adminIn();
    const { id, key } = await keyFor(admin, ws.id, ['viewer']);
    const lastUsed = async () =>
      (
        await selectRows<{ last_used_at: Date | null }>(
          server,
          'SELECT last_used_at FROM public.api_keys WHERE id = $1',
          [id],
        )
      )[0]!.last_used_at;

    await as(key).get('/users');
    const first = await lastUsed();
    await as(key).get('/users');
    await as(key).get('/users');
    const unchanged = await lastUsed();
    clock.advance(61);
    await as(key).get('/users');
    const later = await lastUsed();

    expect(first).toBeInstanceOf(Date);
    expect(unchanged).toEqual(first);
    expect(later!.getTime()).toBeGreaterThan(first!.getTime() + 60_000);
  });

  test('when the workspace is deleted, then its keys stop working', async () => {
    const { admin, ws } = await adminIn();
    const { key } = await keyFor(admin, ws.id, ['viewer']);
    expect((await as(key).get('/users')).status).toBe(200);

    expect((await as(admin.accessToken).delete(`/workspaces/${ws.id}`)).status).toBe(204);
    await backgroundWorkDone(server);

    expectError(await as(key).get('/users'), 401, 'API_KEY_INVALID');
  });
});
