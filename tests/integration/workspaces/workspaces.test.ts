import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { SchemaName } from '../../../src/core/domain/schema-name';
import { TENANT_PROVISIONER } from '../../../src/modules/workspace/application/tokens';
import { API, bearer, decodeJwtPart, expectError, login, register } from '../../support/auth-helpers';
import { scratchDatabase, type ScratchDatabase } from '../../support/databases';
import { execute, selectRows } from '../../support/test-db';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createWorkspace, switchTo, verifiedAccount } from '../../support/workspace-helpers';

const schemaExists = async (server: TestServer, workspaceId: string) =>
  (
    await selectRows<{ n: string }>(server, 'SELECT count(*) AS n FROM pg_namespace WHERE nspname = $1', [
      SchemaName.forWorkspace(workspaceId).value,
    ])
  )[0]?.n === '1';

describe('workspaces', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ WORKSPACES_PER_USER: '3' });
  });
  afterAll(() => server.stop());

  test('when a verified user creates a workspace, then its schema is provisioned with system roles and the owner as admin', async () => {
    const owner = await verifiedAccount(server);
    const res = await request(server.url)
      .post(`${API}/workspaces`)
      .set(bearer(owner.accessToken))
      .send({ name: 'Ünïcode Corp!' });

    expect(res.status).toBe(201);
    const ws = res.body.data;
    expect(ws).toEqual(expect.objectContaining({ name: 'Ünïcode Corp!', status: 'active', ownerId: owner.user.id }));
    expect(ws.slug).toMatch(/^unicode-corp-[0-9a-f]{8}$/);
    expect(JSON.stringify(res.body)).not.toContain('tenant_');
    expect(await schemaExists(server, ws.id)).toBe(true);
    const schema = SchemaName.forWorkspace(ws.id).quoted;
    const roles = await selectRows<{ name: string }>(
      server,
      `SELECT name FROM ${schema}.roles WHERE is_system ORDER BY name`,
    );
    expect(roles.map((r) => r.name)).toEqual(['admin', 'member', 'viewer']);
    const ownerRoles = await selectRows<{ name: string }>(
      server,
      `SELECT r.name FROM ${schema}.member_roles mr JOIN ${schema}.roles r ON r.id = mr.role_id WHERE mr.user_id = $1`,
      [owner.user.id],
    );
    expect(ownerRoles.map((r) => r.name)).toEqual(['admin']);
    const audit = await selectRows(
      server,
      `SELECT 1 FROM ${schema}.audit_events WHERE action = 'workspace.created' AND target_id = $1`,
      [ws.id],
    );
    expect(audit).toHaveLength(1);
  });

  test('when an unverified user creates a workspace, then 403 EMAIL_NOT_VERIFIED and nothing is created', async () => {
    const pending = await register(server.url);
    const tokens = await login(server.url, pending.email, pending.password);
    const res = await request(server.url)
      .post(`${API}/workspaces`)
      .set(bearer(tokens.accessToken))
      .send({ name: 'Nope' });
    expectError(res, 403, 'EMAIL_NOT_VERIFIED');
    expect(await selectRows(server, 'SELECT 1 FROM public.workspaces WHERE owner_id = $1', [pending.user.id])).toEqual(
      [],
    );
  });

  test('when a user reaches the per-user limit, then 422 WORKSPACE_LIMIT_REACHED', async () => {
    const owner = await verifiedAccount(server);
    for (let i = 0; i < 3; i += 1) await createWorkspace(server, owner, `W${i}`);
    const res = await request(server.url)
      .post(`${API}/workspaces`)
      .set(bearer(owner.accessToken))
      .send({ name: 'One too many' });
    expectError(res, 422, 'WORKSPACE_LIMIT_REACHED');
  });

  test('when listing, then only my workspaces appear, paginated', async () => {
    const me = await verifiedAccount(server);
    const stranger = await verifiedAccount(server);
    const mine = [await createWorkspace(server, me, 'One'), await createWorkspace(server, me, 'Two')];
    await createWorkspace(server, stranger, 'Theirs');

    const page1 = await request(server.url).get(`${API}/workspaces?limit=1`).set(bearer(me.accessToken));
    expect(page1.status).toBe(200);
    expect(page1.body.meta).toEqual({ page: 1, limit: 1, total: 2 });
    const all = await request(server.url).get(`${API}/workspaces`).set(bearer(me.accessToken));
    expect(all.body.data.map((w: { id: string }) => w.id).sort()).toEqual(mine.map((w) => w.id).sort());
  });

  test('when a member reads a workspace, then 200; a stranger gets 404 as if it did not exist', async () => {
    const owner = await verifiedAccount(server);
    const stranger = await verifiedAccount(server);
    const ws = await createWorkspace(server, owner);
    expect((await request(server.url).get(`${API}/workspaces/${ws.id}`).set(bearer(owner.accessToken))).status).toBe(
      200,
    );
    expectError(
      await request(server.url).get(`${API}/workspaces/${ws.id}`).set(bearer(stranger.accessToken)),
      404,
      'WORKSPACE_NOT_FOUND',
    );
  });

  test('when switching, then the new access token carries wid, the old pair dies, and login later starts there', async () => {
    const owner = await verifiedAccount(server);
    const ws = await createWorkspace(server, owner);
    const old = { ...owner };

    await switchTo(server, owner, ws.id);

    expect(decodeJwtPart(owner.accessToken, 1).wid).toBe(ws.id);
    expectError(await request(server.url).get(`${API}/users/me`).set(bearer(old.accessToken)), 401, 'TOKEN_INVALID');
    expect(
      (await request(server.url).post(`${API}/auth/refresh-token`).send({ refreshToken: old.refreshToken })).status,
    ).toBe(401);
    const refreshed = await request(server.url)
      .post(`${API}/auth/refresh-token`)
      .send({ refreshToken: owner.refreshToken });
    expect(decodeJwtPart(refreshed.body.data.accessToken, 1).wid).toBe(ws.id);
    const again = await login(server.url, owner.email, owner.password);
    expect(decodeJwtPart(again.accessToken, 1).wid).toBe(ws.id);
  });

  test('when a tenant route is called without an active workspace, then 403 WORKSPACE_REQUIRED', async () => {
    const owner = await verifiedAccount(server);
    const ws = await createWorkspace(server, owner);
    expectError(
      await request(server.url).get(`${API}/workspaces/${ws.id}/members`).set(bearer(owner.accessToken)),
      403,
      'WORKSPACE_REQUIRED',
    );
  });

  test('when an admin updates the active workspace, then name and settings change; bad input is 400', async () => {
    const owner = await verifiedAccount(server);
    const ws = await createWorkspace(server, owner);
    await switchTo(server, owner, ws.id);
    const res = await request(server.url)
      .put(`${API}/workspaces/${ws.id}`)
      .set(bearer(owner.accessToken))
      .send({ name: 'Renamed', settings: { locale: 'fr', seats: 5 } });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual(expect.objectContaining({ name: 'Renamed', settings: { locale: 'fr', seats: 5 } }));
    for (const body of [
      { status: 'deleted' },
      { settings: { 'bad key!': 1 } },
      { settings: { nested: { a: 1 } } },
      { name: '' },
    ]) {
      expect(
        (await request(server.url).put(`${API}/workspaces/${ws.id}`).set(bearer(owner.accessToken)).send(body)).status,
      ).toBe(400);
    }
  });

  test('when an admin deletes the workspace, then members lose access at once and the schema stays', async () => {
    const owner = await verifiedAccount(server);
    const ws = await createWorkspace(server, owner);
    await switchTo(server, owner, ws.id);
    expect(
      (await request(server.url).get(`${API}/workspaces/${ws.id}/members`).set(bearer(owner.accessToken))).status,
    ).toBe(200);

    expect((await request(server.url).delete(`${API}/workspaces/${ws.id}`).set(bearer(owner.accessToken))).status).toBe(
      204,
    );

    expectError(
      await request(server.url).get(`${API}/workspaces/${ws.id}/members`).set(bearer(owner.accessToken)),
      404,
      'WORKSPACE_NOT_FOUND',
    );
    expectError(
      await request(server.url).get(`${API}/workspaces/${ws.id}`).set(bearer(owner.accessToken)),
      404,
      'WORKSPACE_NOT_FOUND',
    );
    const list = await request(server.url).get(`${API}/workspaces`).set(bearer(owner.accessToken));
    expect(list.body.data.map((w: { id: string }) => w.id)).not.toContain(ws.id);
    expect(await schemaExists(server, ws.id)).toBe(true);
  });
});

/**
 * "No schema is left behind" is counted over a whole database: these tests use one of their own,
 * since other suites provision tenants in the shared one while jest runs files in parallel.
 */
describe('workspaces: what a refused or failed creation leaves (own database)', () => {
  let db: ScratchDatabase;
  let server: TestServer;

  beforeAll(async () => {
    db = await scratchDatabase();
    server = await startTestServer({ DATABASE_URL: db.url });
  });
  afterAll(async () => {
    await server.stop();
    await db.drop();
  });

  test('when the slug is taken or malformed, then 409 SLUG_TAKEN or 400, and no schema is left behind', async () => {
    const owner = await verifiedAccount(server);
    const slug = `taken-${Date.now()}`;
    expect(
      (await request(server.url).post(`${API}/workspaces`).set(bearer(owner.accessToken)).send({ name: 'A', slug }))
        .status,
    ).toBe(201);
    const before = await selectRows<{ n: string }>(
      server,
      "SELECT count(*) AS n FROM pg_namespace WHERE nspname LIKE 'tenant\\_%'",
    );

    const dup = await request(server.url)
      .post(`${API}/workspaces`)
      .set(bearer(owner.accessToken))
      .send({ name: 'B', slug });
    expectError(dup, 409, 'SLUG_TAKEN');
    for (const bad of ['AB', 'has space', '-lead', 'x'.repeat(49), 'semi;colon']) {
      const res = await request(server.url)
        .post(`${API}/workspaces`)
        .set(bearer(owner.accessToken))
        .send({ name: 'C', slug: bad });
      expect(res.status).toBe(400);
    }
    const after = await selectRows<{ n: string }>(
      server,
      "SELECT count(*) AS n FROM pg_namespace WHERE nspname LIKE 'tenant\\_%'",
    );
    expect(after[0]?.n).toBe(before[0]?.n);
  });

  test('when the same slug is requested concurrently, then exactly one succeeds and no orphan schema remains', async () => {
    const owner = await verifiedAccount(server);
    const other = await verifiedAccount(server);
    const slug = `race-${Date.now()}`;
    const before = await selectRows<{ n: string }>(
      server,
      "SELECT count(*) AS n FROM pg_namespace WHERE nspname LIKE 'tenant\\_%'",
    );
    const results = await Promise.all(
      [owner, other, owner].map((a) =>
        request(server.url).post(`${API}/workspaces`).set(bearer(a.accessToken)).send({ name: 'R', slug }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    const after = await selectRows<{ n: string }>(
      server,
      "SELECT count(*) AS n FROM pg_namespace WHERE nspname LIKE 'tenant\\_%'",
    );
    expect(Number(after[0]?.n) - Number(before[0]?.n)).toBe(1);
  });
});

describe('provisioning failure', () => {
  test('when a step fails after the schema was created, then neither the schema nor the directory row remain', async () => {
    // Its own database: the orphan check covers every schema, and other suites create some meanwhile.
    const db = await scratchDatabase();
    const server = await startTestServer(
      { DATABASE_URL: db.url },
      {
        configure: (container) => {
          const real = container.get(TENANT_PROVISIONER);
          container.set(TENANT_PROVISIONER, {
            provision: async () => {
              await real.provision();
              throw new Error('disk full while seeding');
            },
          });
        },
      },
    );
    try {
      const owner = await verifiedAccount(server);
      const res = await request(server.url)
        .post(`${API}/workspaces`)
        .set(bearer(owner.accessToken))
        .send({ name: 'Doomed' });
      expectError(res, 500, 'INTERNAL_ERROR');
      expect(await selectRows(server, 'SELECT 1 FROM public.workspaces WHERE owner_id = $1', [owner.user.id])).toEqual(
        [],
      );
      const orphans = await selectRows<{ nspname: string }>(
        server,
        `SELECT nspname FROM pg_namespace n WHERE nspname LIKE 'tenant\\_%'
           AND NOT EXISTS (SELECT 1 FROM public.workspaces w WHERE w.schema_name = n.nspname)`,
      );
      expect(orphans).toEqual([]);
    } finally {
      await server.stop();
      await db.drop();
    }
  });
});

describe('start-up reconciliation', () => {
  test('when a workspace was left in provisioning, then the next start removes its row and schema, and orphan schemas are only reported', async () => {
    const setup = await startTestServer();
    const owner = await verifiedAccount(setup);
    const stuckId = randomUUID();
    const stuck = SchemaName.forWorkspace(stuckId);
    await execute(setup, `CREATE SCHEMA ${stuck.quoted}`);
    await execute(
      setup,
      "INSERT INTO public.workspaces (id, name, slug, schema_name, owner_id, status) VALUES ($1, 'Stuck', $2, $3, $4, 'provisioning')",
      [stuckId, `stuck-${Date.now()}`, stuck.value, owner.user.id],
    );
    await setup.stop();

    const restarted = await startTestServer();
    try {
      expect(await selectRows(restarted, 'SELECT 1 FROM public.workspaces WHERE id = $1', [stuckId])).toEqual([]);
      expect(await selectRows(restarted, 'SELECT 1 FROM pg_namespace WHERE nspname = $1', [stuck.value])).toEqual([]);
    } finally {
      await restarted.stop();
    }
  });
});
