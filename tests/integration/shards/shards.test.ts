import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Sequelize } from 'sequelize';
import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { TOKENS } from '../../../src/core/bootstrap/tokens';
import { SchemaName } from '../../../src/core/domain/schema-name';
import { tenantQuery } from '../../../src/core/infrastructure/database/tenant-query';
import { UnitOfWork } from '../../../src/core/infrastructure/database/unit-of-work';
import { CloneTenant } from '../../../src/modules/lifecycle/application/clone-tenant.use-case';
import { MoveTenant } from '../../../src/modules/lifecycle/application/move-tenant.use-case';
import { PurgeTenant } from '../../../src/modules/lifecycle/application/purge-tenant.use-case';
import { SqlWorkspaceDirectory } from '../../../src/modules/workspace/infrastructure/sql-workspace-directory';
import { AUDIT_LOG } from '../../../src/modules/audit/audit.public';
import { LIFECYCLE_DIRECTORY } from '../../../src/modules/lifecycle/application/tokens';
import { PgTenantMover } from '../../../src/modules/lifecycle/infrastructure/pg-tenant-mover';
import { WORKSPACE_DIRECTORY, WorkspaceAccessCache } from '../../../src/modules/workspace/workspace.public';
import { API, bearer, expectError } from '../../support/auth-helpers';
import { scratchDatabase, type ScratchDatabase } from '../../support/databases';
import { moveCutShortAfterCopy, schemaIn, shardedDeployment, type ShardedDeployment } from '../../support/shards';
import type { SmtpReceiver } from '../../support/smtp-receiver';
import { execute, selectRows } from '../../support/test-db';
import { startTestServer, type TestServer } from '../../support/test-server';
import {
  createWorkspace,
  inviteAndJoin,
  switchTo,
  verifiedAccount,
  type Account,
} from '../../support/workspace-helpers';

/**
 * Tenants on a second database (TENANT_DATABASES, ADR 0012): placement, every kind of request
 * served from there, and tenant:move both ways under traffic, compared table by table.
 */
describe('tenant databases (shards)', () => {
  let deployment: ShardedDeployment;
  let receiver: SmtpReceiver;
  let main: ScratchDatabase;
  let east: ScratchDatabase;
  let eastDb: Sequelize;
  let server: TestServer;

  beforeAll(async () => {
    deployment = await shardedDeployment();
    ({ receiver, main, east, eastDb, server } = deployment);
  });
  afterAll(() => deployment?.stop());

  const schemasOn = async (db: Sequelize, schema: string) => ((await schemaIn(db, schema)) ? 1 : 0);
  const mainDb = () => server.container.get(TOKENS.sequelize);
  const shardOf = async (id: string) =>
    (
      await selectRows<{ shard: string; moving_to: string | null }>(
        server,
        'SELECT shard, moving_to FROM public.workspaces WHERE id = $1',
        [id],
      )
    )[0]!;

  /** Every table of the tenant schema, each row as text, sorted: what "the same data" means. */
  async function snapshot(db: Sequelize, schema: string): Promise<Record<string, string[]>> {
    const tables = await db.query<{ name: string }>(
      "SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :schema AND c.relkind = 'r' ORDER BY 1",
      { replacements: { schema }, type: QueryTypes.SELECT },
    );
    const out: Record<string, string[]> = {};
    for (const { name } of tables) {
      const rows = await db.query<{ r: string }>(`SELECT t::text AS r FROM "${schema}"."${name}" t ORDER BY 1`, {
        type: QueryTypes.SELECT,
      });
      out[name] = rows.map((r) => r.r);
    }
    return out;
  }

  /** An admin, a member who joined by invitation (email through the shard's outbox), a custom role. */
  async function populatedWorkspace(): Promise<{
    admin: Account;
    member: Account;
    ws: { id: string; slug: string };
    schema: string;
  }> {
    const admin = await verifiedAccount(server);
    const ws = await createWorkspace(server, admin, 'Eastern');
    await switchTo(server, admin, ws.id);
    const member = await verifiedAccount(server);
    await inviteAndJoin(server, receiver, admin, { id: ws.id, name: 'Eastern' }, member, 'member');
    const role = await request(server.url)
      .post(`${API}/workspaces/${ws.id}/roles`)
      .set(bearer(admin.accessToken))
      .send({ name: 'auditor', permissions: ['audit.read'] });
    expect(role.status).toBe(201);
    return { admin, member, ws, schema: `tenant_${ws.id.replace(/-/g, '')}` };
  }

  test('placement: a new tenant goes to the least loaded of the databases it may go to', async () => {
    const counts = await selectRows<{ shard: string; n: number }>(
      server,
      'SELECT shard, count(*)::int AS n FROM public.workspaces WHERE deleted_at IS NULL GROUP BY shard',
    );
    const load = (name: string) => counts.find((c) => c.shard === name)?.n ?? 0;
    const expected = load('east') < load('main') ? 'east' : 'main';
    expect(await new SqlWorkspaceDirectory(mainDb(), ['main', 'east']).placeNewTenant()).toBe(expected);
    expect(await new SqlWorkspaceDirectory(mainDb(), ['east']).placeNewTenant()).toBe('east');
  });

  test('a new workspace goes to a database it may be placed on, and is served from there: members, roles, audit, notifications', async () => {
    const { admin, member, ws, schema } = await populatedWorkspace();
    expect(await shardOf(ws.id)).toEqual({ shard: 'east', moving_to: null });
    expect(await schemasOn(eastDb, schema)).toBe(1);
    expect(await schemasOn(mainDb(), schema)).toBe(0);

    const members = await request(server.url).get(`${API}/workspaces/${ws.id}/members`).set(bearer(admin.accessToken));
    expect(members.status).toBe(200);
    expect(members.body.data.map((m: { email: string }) => m.email).sort()).toEqual([admin.email, member.email].sort());
    const users = await request(server.url)
      .get(`${API}/users/search?q=${encodeURIComponent(member.email)}`)
      .set(bearer(admin.accessToken));
    expect(users.status).toBe(200);
    expect(users.body.data.map((u: { email: string }) => u.email)).toEqual([member.email]);
    const audit = await request(server.url)
      .get(`${API}/workspaces/${ws.id}/audit-events`)
      .set(bearer(admin.accessToken));
    expect(audit.status).toBe(200);
    expect(audit.body.data.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['workspace.created', 'role.created']),
    );
    // The member-joined notification was written by a job taken from the shard's own outbox.
    await server.container.get(TOKENS.jobs).settled(10_000);
    const rows = await eastDb.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".notifications`, {
      type: QueryTypes.SELECT,
    });
    expect(Number(rows[0]!.n)).toBeGreaterThan(0);
    const receipts = await eastDb.query('SELECT 1 FROM public.job_receipts', { type: QueryTypes.SELECT });
    expect(receipts.length).toBeGreaterThan(0);
  });

  test('tenant:move copies every table, verifies it, drops the source and switches the directory; writes during the move get 503, never a 500 or a lost write', async () => {
    const { admin, ws, schema } = await populatedWorkspace();
    const before = await snapshot(eastDb, schema);
    const move = server.container.get(MoveTenant);

    // Traffic while the move runs: role writes (each one either lands before the freeze, or is refused with 503).
    let stop = false;
    const outcomes: { status: number; retryAfter?: string; name?: string }[] = [];
    const traffic = (async () => {
      for (let i = 0; !stop && i < 500; i++) {
        const name = `r${i}`;
        const res = await request(server.url)
          .post(`${API}/workspaces/${ws.id}/roles`)
          .set(bearer(admin.accessToken))
          .send({ name });
        outcomes.push({ status: res.status, retryAfter: res.headers['retry-after'], name });
        const read = await request(server.url).get(`${API}/workspaces/${ws.id}/roles`).set(bearer(admin.accessToken));
        outcomes.push({ status: read.status, retryAfter: read.headers['retry-after'] });
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 150));
    const report = await move.execute({ workspace: ws.id, to: 'main' });
    stop = true;
    await traffic;

    expect(report).toMatchObject({ from: 'east', to: 'main', resumed: false });
    expect(Object.keys(report.tables)).toEqual(
      expect.arrayContaining(['members', 'roles', 'member_roles', 'invitations', 'notifications', 'audit_events']),
    );
    expect(await shardOf(ws.id)).toEqual({ shard: 'main', moving_to: null });
    expect(await schemasOn(eastDb, schema)).toBe(0);
    expect(await schemasOn(mainDb(), schema)).toBe(1);

    // Nothing but success or 503 with Retry-After; every role whose creation succeeded is there.
    const unexpected = outcomes.filter((o) => o.status !== 200 && o.status !== 201 && o.status !== 503);
    expect(unexpected).toEqual([]);
    outcomes.filter((o) => o.status === 503).forEach((o) => expect(Number(o.retryAfter)).toBeGreaterThan(0));
    const created = outcomes.filter((o) => o.status === 201).map((o) => o.name);
    const roles = await request(server.url).get(`${API}/workspaces/${ws.id}/roles`).set(bearer(admin.accessToken));
    expect(roles.status).toBe(200);
    const names = roles.body.data.map((r: { name: string }) => r.name);
    expect(names).toEqual(expect.arrayContaining(created));

    // The same data, table by table, apart from what the traffic added.
    const after = await snapshot(mainDb(), schema);
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    for (const table of ['members', 'invitations', 'notifications']) expect(after[table]).toEqual(before[table]);
    for (const table of Object.keys(before)) expect(after[table]).toEqual(expect.arrayContaining(before[table]!));
    expect(report.tables.members!.rows).toBe(2);
    expect(report.tables.invitations!.rows).toBe(before.invitations!.length);

    // And back: the data moves unchanged.
    const again = await snapshot(mainDb(), schema);
    const back = await move.execute({ workspace: ws.slug, to: 'east' });
    expect(back).toMatchObject({ from: 'main', to: 'east' });
    expect(await snapshot(eastDb, schema)).toEqual(again);
    expect(await schemasOn(mainDb(), schema)).toBe(0);
    const served = await request(server.url).get(`${API}/workspaces/${ws.id}/members`).set(bearer(admin.accessToken));
    expect(served.status).toBe(200);
    expect(served.body.data).toHaveLength(2);
  });

  test('while a move is under way its writes get 503 TENANT_MOVING with Retry-After and its reads go on; a move is refused to an unknown database or where it is', async () => {
    const { admin, ws } = await populatedWorkspace();
    await freeze(ws.id, 'main');
    const write = await request(server.url)
      .post(`${API}/workspaces/${ws.id}/roles`)
      .set(bearer(admin.accessToken))
      .send({ name: 'frozen' });
    expectError(write, 503, 'TENANT_MOVING');
    expect(write.headers['retry-after']).toBe('2');
    const read = await request(server.url).get(`${API}/workspaces/${ws.id}/roles`).set(bearer(admin.accessToken));
    expect(read.status).toBe(200);
    const move = server.container.get(MoveTenant);
    await move.abort({ workspace: ws.id });
    expect(await shardOf(ws.id)).toEqual({ shard: 'east', moving_to: null });
    const written = await request(server.url)
      .post(`${API}/workspaces/${ws.id}/roles`)
      .set(bearer(admin.accessToken))
      .send({ name: 'thawed' });
    expect(written.status).toBe(201);

    await expect(move.execute({ workspace: ws.id, to: 'west' })).rejects.toMatchObject({
      code: 'TENANT_DATABASE_UNKNOWN',
    });
    await expect(move.execute({ workspace: ws.id, to: 'east' })).rejects.toMatchObject({
      code: 'TENANT_MOVE_CONFLICT',
    });

    async function freeze(id: string, to: string) {
      await mainDb().query('UPDATE public.workspaces SET moving_to = :to WHERE id = :id', { replacements: { id, to } });
      await server.container.get(TOKENS.decisions).bump(`ws:access:${id}:${admin.user.id}`);
    }
  });

  test('a move cut short after its copy committed is finished by running it again', async () => {
    const { admin, ws, schema } = await populatedWorkspace();
    const before = await snapshot(eastDb, schema);
    await moveCutShortAfterCopy(server, ws);
    const report = await server.container.get(MoveTenant).execute({ workspace: ws.id, to: 'main' });
    expect(report.resumed).toBe(true);
    expect(await shardOf(ws.id)).toEqual({ shard: 'main', moving_to: null });
    expect(await snapshot(mainDb(), schema)).toEqual(before);
    const res = await request(server.url).get(`${API}/workspaces/${ws.id}/members`).set(bearer(admin.accessToken));
    expect(res.status).toBe(200);
  });

  test('over HTTP, a platform admin moves a workspace (POST /admin/workspaces/{id}/move); others get 403, an unknown database 422', async () => {
    const { admin, ws, schema } = await populatedWorkspace();
    const root = await verifiedAccount(server);
    await execute(
      server,
      "INSERT INTO public.user_global_roles (user_id, role_id) SELECT $1, id FROM public.global_roles WHERE name = 'platform_admin'",
      [root.user.id],
    );
    const path = `${API}/admin/workspaces/${ws.id}/move`;
    expectError(
      await request(server.url).post(path).set(bearer(admin.accessToken)).send({ to: 'main' }),
      403,
      'PERMISSION_DENIED',
    );
    expectError(
      await request(server.url).post(path).set(bearer(root.accessToken)).send({ to: 'west' }),
      422,
      'TENANT_DATABASE_UNKNOWN',
    );
    expectError(
      await request(server.url).post(path).set(bearer(root.accessToken)).send({ to: 'main', now: true }),
      400,
      'VALIDATION_ERROR',
    );
    const moved = await request(server.url).post(path).set(bearer(root.accessToken)).send({ to: 'main' });
    expect(moved.status).toBe(200);
    expect(moved.body.data).toMatchObject({ from: 'east', to: 'main', workspace: { id: ws.id, schema } });
    expect(await shardOf(ws.id)).toEqual({ shard: 'main', moving_to: null });
    const audit = await selectRows(
      server,
      "SELECT 1 FROM public.audit_events WHERE action = 'workspace.moved' AND target_id = $1",
      [ws.id],
    );
    expect(audit).toHaveLength(1);
  });

  test('a workspace on another database exports (its tables read there) and clones onto the main database', async () => {
    const { ws, schema } = await populatedWorkspace();
    const report = await server.container.get(CloneTenant).execute({ workspace: ws.id, name: 'Eastern copy' });
    expect(report.rows['tenant/members']).toBe(2);
    expect(await shardOf(report.workspace.id)).toEqual({ shard: 'main', moving_to: null });
    const copy = `tenant_${report.workspace.id.replace(/-/g, '')}`;
    const [source, target] = [await snapshot(eastDb, schema), await snapshot(mainDb(), copy)];
    expect(target.roles!.length).toBe(source.roles!.length);
    expect(target.member_roles!.length).toBe(source.member_roles!.length);
  });

  test('an instance that missed the move (stale cached route) answers 503 TENANT_MOVING once, never the old data, then serves from the new place', async () => {
    const { admin, ws } = await populatedWorkspace();
    // Its own cache prefix: it hears nothing of the first server's invalidations.
    const other = await deployment.anotherInstance();
    try {
      const before = await request(other.url).get(`${API}/workspaces/${ws.id}/roles`).set(bearer(admin.accessToken));
      expect(before.status).toBe(200);
      await server.container.get(MoveTenant).execute({ workspace: ws.id, to: 'main' });
      await request(server.url)
        .post(`${API}/workspaces/${ws.id}/roles`)
        .set(bearer(admin.accessToken))
        .send({ name: 'after' })
        .expect(201);

      const stale = await request(other.url).get(`${API}/workspaces/${ws.id}/roles`).set(bearer(admin.accessToken));
      expectError(stale, 503, 'TENANT_MOVING');
      expect(stale.headers['retry-after']).toBe('1');
      const fresh = await request(other.url).get(`${API}/workspaces/${ws.id}/roles`).set(bearer(admin.accessToken));
      expect(fresh.status).toBe(200);
      expect(fresh.body.data.map((r: { name: string }) => r.name)).toContain('after');
      const write = await request(other.url)
        .post(`${API}/workspaces/${ws.id}/roles`)
        .set(bearer(admin.accessToken))
        .send({ name: 'later' });
      expect(write.status).toBe(201);

      // Back to east: "other" still routes to main, where the schema is gone. Its unqualified
      // `audit_events` must not fall through to main's public.audit_events (the platform's trail).
      await server.container.get(MoveTenant).execute({ workspace: ws.id, to: 'east' });
      const trail = await request(other.url)
        .get(`${API}/workspaces/${ws.id}/audit-events`)
        .set(bearer(admin.accessToken));
      expectError(trail, 503, 'TENANT_MOVING');
      const again = await request(other.url)
        .get(`${API}/workspaces/${ws.id}/audit-events`)
        .set(bearer(admin.accessToken));
      expect(again.status).toBe(200);
      expect(again.body.data.map((e: { action: string }) => e.action)).toContain('workspace.created');
    } finally {
      await other.stop();
    }
  });

  test('an API key of a workspace on another database reads and writes there, and follows it when it moves', async () => {
    const { admin, ws } = await populatedWorkspace();
    const created = await request(server.url)
      .post(`${API}/workspaces/${ws.id}/api-keys`)
      .set(bearer(admin.accessToken))
      .send({ name: 'robot', roles: ['admin'] });
    expect(created.status).toBe(201);
    const key = created.body.data.key as string;
    const write = (name: string) =>
      request(server.url).post(`${API}/workspaces/${ws.id}/roles`).set(bearer(key)).send({ name });
    expect((await write('by-key-east')).status).toBe(201);
    expect(await schemasOn(eastDb, `tenant_${ws.id.replace(/-/g, '')}`)).toBe(1);
    await server.container.get(MoveTenant).execute({ workspace: ws.id, to: 'main' });
    expect((await write('by-key-main')).status).toBe(201);
    const roles = await request(server.url).get(`${API}/workspaces/${ws.id}/roles`).set(bearer(key));
    expect(roles.status).toBe(200);
    expect(roles.body.data.map((r: { name: string }) => r.name)).toEqual(
      expect.arrayContaining(['by-key-east', 'by-key-main']),
    );
  });

  test('when the copy fails (a release that does not know the tenant version), the move stops: freeze lifted, source intact, no copy left', async () => {
    const { admin, ws, schema } = await populatedWorkspace();
    const before = await snapshot(eastDb, schema);
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'no-migrations-'));
    const { container } = server;
    const move = new MoveTenant(
      container.get(LIFECYCLE_DIRECTORY),
      new PgTenantMover(container.get(TOKENS.shards), container.get(TOKENS.logger), empty),
      container.get(WORKSPACE_DIRECTORY),
      container.get(TOKENS.shards),
      container.get(AUDIT_LOG),
      container.get(WorkspaceAccessCache),
    );
    try {
      await expect(move.execute({ workspace: ws.id, to: 'main' })).rejects.toThrow(/migration/i);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
    expect(await shardOf(ws.id)).toEqual({ shard: 'east', moving_to: null });
    expect(await schemasOn(mainDb(), schema)).toBe(0);
    expect(await snapshot(eastDb, schema)).toEqual(before);
    const write = await request(server.url)
      .post(`${API}/workspaces/${ws.id}/roles`)
      .set(bearer(admin.accessToken))
      .send({ name: 'still-here' });
    expect(write.status).toBe(201);
  });

  test('a tenant query sent where the schema is not never falls through to public tables of the same name (audit_events)', async () => {
    const { ws, schema } = await populatedWorkspace();
    const uow = new UnitOfWork(server.container.get(TOKENS.shards));
    const trail = () => tenantQuery(mainDb(), 'SELECT count(*) AS n FROM audit_events', {});
    // main has public.audit_events (the platform's trail) but not this tenant's schema.
    expect(await schemasOn(mainDb(), schema)).toBe(0);
    await expect(uow.readInTenant(SchemaName.parse(schema), trail, 'main')).rejects.toMatchObject({
      code: 'TENANT_MOVING',
    });
    await expect(uow.runInTenant(SchemaName.parse(schema), trail, { shard: 'main' })).rejects.toMatchObject({
      code: 'TENANT_MOVING',
    });
    const [here] = (await uow.readInTenant(SchemaName.parse(schema), trail, 'east')) as { n: string }[];
    expect(Number(here!.n)).toBeGreaterThan(0);
    expect(ws.id).toBeDefined();
  });

  test('a write in flight when the move starts is waited for and moves with the tenant', async () => {
    const { ws, schema } = await populatedWorkspace();
    const uow = new UnitOfWork(server.container.get(TOKENS.shards));
    let inserted = false;
    const inflight = uow.runInTenant(
      SchemaName.parse(schema),
      async () => {
        await tenantQuery(mainDb(), "INSERT INTO roles (name) VALUES ('inflight') RETURNING id", {});
        inserted = true;
        await new Promise((resolve) => setTimeout(resolve, 700));
      },
      { shard: 'east' },
    );
    while (!inserted) await new Promise((resolve) => setTimeout(resolve, 10));
    const report = await server.container.get(MoveTenant).execute({ workspace: ws.id, to: 'main' });
    await inflight;
    expect(report.phases.waitMs).toBeGreaterThan(300);
    const roles = await mainDb().query(`SELECT 1 FROM "${schema}".roles WHERE name = 'inflight'`, {
      type: QueryTypes.SELECT,
    });
    expect(roles).toHaveLength(1);
  });

  test('a process not given a database the directory places workspaces on refuses to start (it would look for them on main)', async () => {
    await populatedWorkspace();
    await expect(startTestServer({ DATABASE_URL: main.url })).rejects.toThrow(
      /places workspaces on databases this process is not given: east \(set TENANT_DATABASES\)/,
    );
  });

  test('an extra database that stops answering leaves the instance ready but degraded: only its tenants are unavailable', async () => {
    const { admin, ws } = await populatedWorkspace();
    const west = await scratchDatabase({ migrate: false });
    const degraded = await deployment.anotherInstance({ TENANT_DATABASES: `east=${east.url},west=${west.url}` });
    try {
      const ready = await request(degraded.url).get('/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.data.status).toBe('ok');
      // West goes away (its connections are ended with it).
      await west.drop();
      const after = await request(degraded.url).get('/health/ready');
      expect(after.status).toBe(200);
      expect(after.body.data.status).toBe('degraded');
      expect(after.body.data.checks).toMatchObject({ database: 'up', 'database:east': 'up', 'database:west': 'down' });
      // A tenant on east is served as before.
      const roles = await request(degraded.url).get(`${API}/workspaces/${ws.id}/roles`).set(bearer(admin.accessToken));
      expect(roles.status).toBe(200);
    } finally {
      await degraded.stop();
    }
  });

  test('purging a deleted workspace on another database removes its schema there', async () => {
    const { admin, ws, schema } = await populatedWorkspace();
    const del = await request(server.url).delete(`${API}/workspaces/${ws.id}`).set(bearer(admin.accessToken));
    expect(del.status).toBe(204);
    const receipt = await server.container.get(PurgeTenant).execute({ workspace: ws.id });
    expect(receipt.removed.tenantRows.members).toBe(2);
    expect(await schemasOn(eastDb, schema)).toBe(0);
    expect(await selectRows(server, 'SELECT 1 FROM public.workspaces WHERE id = $1', [ws.id])).toHaveLength(0);
  });
});
