import request from 'supertest';
import { TOKENS } from '../../../src/core/bootstrap/tokens';
import { SchemaName } from '../../../src/core/domain/schema-name';
import { PermissionService } from '../../../src/modules/role/role.public';
import { API, bearer, expectError } from '../../support/auth-helpers';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver';
import { execute, selectRows } from '../../support/test-db';
import { startTestServer, testRedisUrl, type TestServer } from '../../support/test-server';
import {
  createWorkspace,
  inviteAndJoin,
  switchTo,
  verifiedAccount,
  type Account,
} from '../../support/workspace-helpers';

describe('permissions', () => {
  let receiver: SmtpReceiver;
  let server: TestServer;
  let admin: Account;
  let viewer: Account;
  let ws: { id: string; slug: string };

  beforeAll(async () => {
    receiver = await startSmtpReceiver();
    server = await startTestServer(receiver.env());
    admin = await verifiedAccount(server);
    viewer = await verifiedAccount(server);
    ws = await createWorkspace(server, admin, 'Perm Co');
    await switchTo(server, admin, ws.id);
    await inviteAndJoin(server, receiver, admin, { id: ws.id, name: 'Perm Co' }, viewer, 'viewer');
  });
  afterAll(async () => {
    await server.stop();
    await receiver.close();
  });

  const mine = async (account: Account) =>
    (await request(server.url).get(`${API}/me/permissions`).set(bearer(account.accessToken))).body.data
      .permissions as string[];

  test('when the catalogue is read, then it lists workspace and platform permissions', async () => {
    const res = await request(server.url).get(`${API}/permissions`).set(bearer(admin.accessToken));
    expect(res.status).toBe(200);
    const codes = res.body.data.map((p: { code: string }) => p.code);
    expect(codes).toEqual(
      expect.arrayContaining(['users.delete', 'members.invite', 'roles.assign', 'platform.users.manage']),
    );
  });

  test('when effective permissions are read, then admin holds the whole workspace catalogue and viewer only reads', async () => {
    expect(await mine(admin)).toEqual(
      expect.arrayContaining(['workspaces.manage', 'members.remove', 'roles.manage', 'roles.assign', 'audit.read']),
    );
    expect(await mine(viewer)).toEqual(['members.read', 'notifications.read', 'roles.read', 'users.read']);
  });

  test('when a caller lacks the permission, then 403 PERMISSION_DENIED, nothing changes, and the denial is in the tenant audit trail', async () => {
    const res = await request(server.url)
      .put(`${API}/workspaces/${ws.id}`)
      .set(bearer(viewer.accessToken))
      .send({ name: 'Taken over' });
    expectError(res, 403, 'PERMISSION_DENIED');
    const get = await request(server.url).get(`${API}/workspaces/${ws.id}`).set(bearer(admin.accessToken));
    expect(get.body.data.name).toBe('Perm Co');
    const rows = await selectRows<{
      actor_id: string;
      metadata: { permission: string; route: string };
      request_id: string;
    }>(
      server,
      `SELECT actor_id, metadata, request_id FROM ${SchemaName.forWorkspace(ws.id).quoted}.audit_events WHERE action = 'authz.denied'`,
    );
    expect(rows).toEqual([
      {
        actor_id: viewer.user.id,
        metadata: { permission: 'workspaces.manage', route: 'PUT /api/v1/workspaces/:workspaceId' },
        request_id: res.headers['x-request-id'],
      },
    ]);
  });

  test('when a user holds the platform admin role, then platform permissions join their workspace ones', async () => {
    await execute(
      server,
      "INSERT INTO public.user_global_roles (user_id, role_id) SELECT $1, id FROM public.global_roles WHERE name = 'platform_admin'",
      [viewer.user.id],
    );
    await server.container.get(PermissionService).invalidate('platform');
    expect(await mine(viewer)).toEqual(
      expect.arrayContaining(['platform.users.manage', 'platform.workspaces.manage', 'users.read']),
    );
  });

  test('when every route is documented, then each one that requires a permission shows it as x-permissions', async () => {
    const doc = (await request(server.url).get(`${API}/openapi.json`)).body;
    const declared = server.container
      .get(TOKENS.routes)
      .list()
      .filter((r) => typeof r.permission === 'string');
    expect(declared.length).toBeGreaterThanOrEqual(4);
    for (const route of declared) {
      const path = `${API}${route.path}`.replace(/:(\w+)/g, '{$1}');
      const scoped = Object.values(route.scopes ?? {}).flatMap((scope) => (scope.permission ? [scope.permission] : []));
      expect(doc.paths[path][route.method]['x-permissions']).toEqual([route.permission, ...scoped]);
    }
  });
  test('when more denied requests arrive at once than the pool has connections, then each is a 403 at once and each is audited', async () => {
    // Two connections: the denial's audit row, written from inside the tenant transaction as a
    // detached write, waited for a second connection while holding the first; eight at once held
    // both until the acquire timeout (503).
    const { auth } = server.container.get(TOKENS.config);
    const small = await startTestServer({
      DB_POOL_MAX: '2',
      JWT_SECRET: auth.jwtSecret,
      REFRESH_TOKEN_SECRET: auth.refreshTokenSecret,
      DATA_ENCRYPTION_KEY: auth.dataEncryptionKey,
    });
    const audited = async () =>
      (
        await selectRows<{ n: number }>(
          server,
          `SELECT count(*)::int AS n FROM ${SchemaName.forWorkspace(ws.id).quoted}.audit_events WHERE actor_id = $1 AND action = 'authz.denied'`,
          [viewer.user.id],
        )
      )[0]!.n;
    try {
      const before = await audited();
      const started = Date.now();
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          request(small.url)
            .post(`${API}/workspaces/${ws.id}/roles`)
            .set(bearer(viewer.accessToken))
            .send({ name: `denied-${i}` }),
        ),
      );
      for (const answer of answers) expectError(answer, 403, 'PERMISSION_DENIED');
      expect(Date.now() - started).toBeLessThan(5_000);
      expect((await audited()) - before).toBe(8);
    } finally {
      await small.stop();
    }
  });
});

const redisUrl = testRedisUrl();
if (redisUrl) {
  describe('permission changes across instances', () => {
    test("when a role's permissions change through instance A, then instance B applies it on the very next request", async () => {
      // Instances of one deployment share Redis and the token secrets.
      const env = {
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: `test:perm:${Date.now()}:`,
        JWT_SECRET: 'shared-test-jwt-secret-0123456789abcdef',
        REFRESH_TOKEN_SECRET: 'shared-test-refresh-secret-0123456789ab',
      };
      const [a, b] = [await startTestServer(env), await startTestServer(env)];
      try {
        const owner = await verifiedAccount(a);
        const space = await createWorkspace(a, owner, 'Shared');
        await switchTo(a, owner, space.id);
        const role = await request(a.url)
          .post(`${API}/workspaces/${space.id}/roles`)
          .set(bearer(owner.accessToken))
          .send({ name: 'ops', permissions: ['audit.read'] });
        // A second member holding the custom role (added directly: invitations are tested elsewhere).
        const member = await verifiedAccount(a);
        const schema = SchemaName.forWorkspace(space.id).quoted;
        await execute(a, 'INSERT INTO public.workspace_memberships (workspace_id, user_id) VALUES ($1, $2)', [
          space.id,
          member.user.id,
        ]);
        await execute(a, `INSERT INTO ${schema}.members (user_id) VALUES ($1)`, [member.user.id]);
        await execute(a, `INSERT INTO ${schema}.member_roles (user_id, role_id) VALUES ($1, $2)`, [
          member.user.id,
          role.body.data.id,
        ]);
        await switchTo(b, member, space.id);
        const onB = () => request(b.url).get(`${API}/me/permissions`).set(bearer(member.accessToken));
        expect((await onB()).body.data.permissions).toEqual(['audit.read']);

        const changed = await request(a.url)
          .put(`${API}/workspaces/${space.id}/roles/${role.body.data.id}/permissions`)
          .set(bearer(owner.accessToken))
          .send({ permissions: ['members.read'] });
        expect(changed.status).toBe(200);

        expect((await onB()).body.data.permissions).toEqual(['members.read']);
        expect(
          (await request(b.url).get(`${API}/workspaces/${space.id}/audit-events`).set(bearer(member.accessToken)))
            .status,
        ).toBe(403);
      } finally {
        await Promise.all([a.stop(), b.stop()]);
      }
    });
  });
}
