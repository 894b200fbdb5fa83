import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { Sequelize } from 'sequelize';
import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { TOKENS } from '../../../src/core/bootstrap/tokens';
import { MoveTenant } from '../../../src/modules/lifecycle/application/move-tenant.use-case';
import { Notifications } from '../../../src/modules/notification/application/notifications.service';
import { API, bearer } from '../../support/auth-helpers';
import type { ScratchDatabase } from '../../support/databases';
import { moveCutShortAfterCopy, schemaIn, shardedDeployment, type ShardedDeployment } from '../../support/shards';
import { TENANT_MOVER } from '../../../src/modules/lifecycle/application/tokens';
import { selectRows } from '../../support/test-db';
import type { TestServer } from '../../support/test-server';
import { createWorkspace, switchTo, verifiedAccount } from '../../support/workspace-helpers';

/**
 * Review of the tenant-databases change (ADR 0012): failing tests for defects found in review.
 * Each one states what the ADR promises and shows the code breaking it.
 */
describe('tenant moves: races and failure windows (from review)', () => {
  let deployment: ShardedDeployment;
  let main: ScratchDatabase;
  let east: ScratchDatabase;
  let eastDb: Sequelize;
  let server: TestServer;

  beforeAll(async () => {
    deployment = await shardedDeployment();
    ({ main, east, eastDb, server } = deployment);
  });
  afterAll(() => deployment?.stop());

  const mainDb = () => server.container.get(TOKENS.sequelize);
  const schemaOf = (id: string) => `tenant_${id.replace(/-/g, '')}`;
  const exists = schemaIn;

  async function workspaceOnEast() {
    const admin = await verifiedAccount(server);
    const ws = await createWorkspace(server, admin, 'Eastern');
    await switchTo(server, admin, ws.id);
    const role = await request(server.url)
      .post(`${API}/workspaces/${ws.id}/roles`)
      .set(bearer(admin.accessToken))
      .send({ name: 'auditor', permissions: ['audit.read'] });
    expect(role.status).toBe(201);
    return { admin, ws, schema: schemaOf(ws.id) };
  }

  /** Holds an ACCESS SHARE lock on one source table, as a slow reader (an audit export, a report) does. */
  async function slowReaderOn(url: string, schema: string): Promise<Client> {
    const reader = new Client({ connectionString: url });
    await reader.connect();
    await reader.query('BEGIN');
    await reader.query(`SELECT count(*) FROM "${schema}".members`);
    return reader;
  }

  /** Waits until the move's `DROP SCHEMA` of the source is waiting for a lock (the copy has committed). */
  async function dropWaiting(db: Sequelize, schema: string): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const rows = await db.query("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE :q", {
        replacements: { q: `DROP SCHEMA "${schema}"%` },
        type: QueryTypes.SELECT,
      });
      if (rows.length > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the move never reached its source drop');
  }

  test('an --abort while the move waits to drop its source must not leave the tenant with no schema anywhere', async () => {
    const { admin, ws, schema } = await workspaceOnEast();
    const move = server.container.get(MoveTenant);
    const reader = await slowReaderOn(east.url, schema);
    const moving = move.execute({ workspace: ws.id, to: 'main' });
    moving.catch(() => undefined);
    try {
      await dropWaiting(eastDb, schema);
      // The operator sees a move that does not finish and aborts it: the source is still there,
      // so abort drops "the copy" (the committed one the running move is about to switch to).
      await move.abort({ workspace: ws.id }).catch(() => undefined);
    } finally {
      await reader.query('COMMIT');
      await reader.end();
    }
    await Promise.allSettled([moving]);

    const onMain = await exists(mainDb(), schema);
    const onEast = await exists(eastDb, schema);
    const [row] = await selectRows<{ shard: string }>(server, 'SELECT shard FROM public.workspaces WHERE id = $1', [
      ws.id,
    ]);
    // The tenant's data must be somewhere, and where the directory says.
    expect({ onMain, onEast, shard: row!.shard }).toEqual(
      expect.objectContaining(row!.shard === 'main' ? { onMain: true } : { onEast: true }),
    );
    const members = await request(server.url).get(`${API}/workspaces/${ws.id}/members`).set(bearer(admin.accessToken));
    expect(members.status).toBe(200);
  });

  test('running the move again (an HTTP retry) while the first run waits to drop its source must not destroy the copy', async () => {
    const { admin, ws, schema } = await workspaceOnEast();
    const move = server.container.get(MoveTenant);
    const reader = await slowReaderOn(east.url, schema);
    const first = move.execute({ workspace: ws.id, to: 'main' });
    first.catch(() => undefined);
    let second: Promise<unknown> | undefined;
    try {
      await dropWaiting(eastDb, schema);
      second = move.execute({ workspace: ws.id, to: 'main' });
      second.catch(() => undefined);
      // Let the second run reach its own copy (it then waits for the first run's move lock).
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      await reader.query('COMMIT');
      await reader.end();
    }
    await Promise.allSettled([first, second ?? Promise.resolve()]);

    const onMain = await exists(mainDb(), schema);
    const onEast = await exists(eastDb, schema);
    expect(onMain || onEast).toBe(true);
    const members = await request(server.url).get(`${API}/workspaces/${ws.id}/members`).set(bearer(admin.accessToken));
    expect(members.status).toBe(200);
  });

  test('a move whose failure is reported after the source drop committed must not drop the only copy when run again', async () => {
    // copy() throws after its DROP + COMMIT (e.g. the COMMIT's answer is lost): execute()'s catch
    // lifts the freeze, leaving shard = east, moving_to = NULL, no source, the committed copy on main.
    const { admin, ws, schema } = await workspaceOnEast();
    await moveCutShortAfterCopy(server, ws);
    await server.container.get(TENANT_MOVER).setMoving(ws.id, null); // what a catch lifting the freeze did
    expect(await exists(mainDb(), schema)).toBe(true);

    // The operator runs the move again.
    await server.container
      .get(MoveTenant)
      .execute({ workspace: ws.id, to: 'main' })
      .catch(() => undefined);

    expect((await exists(mainDb(), schema)) || (await exists(eastDb, schema))).toBe(true);
    const members = await request(server.url).get(`${API}/workspaces/${ws.id}/members`).set(bearer(admin.accessToken));
    expect(members.status).toBe(200);
  });

  test("an instance with a stale route to main never serves another trail than the tenant's (audit_events also exists in public)", async () => {
    const { admin, ws, schema } = await workspaceOnEast();
    // The tenant lives on main first.
    await server.container.get(MoveTenant).execute({ workspace: ws.id, to: 'main' });
    const other = await deployment.anotherInstance();
    try {
      const before = await request(other.url)
        .get(`${API}/workspaces/${ws.id}/audit-events`)
        .set(bearer(admin.accessToken));
      expect(before.status).toBe(200);
      // Moved away from main while `other` still routes the tenant there (missed invalidation).
      await server.container.get(MoveTenant).execute({ workspace: ws.id, to: 'east' });

      const stale = await request(other.url)
        .get(`${API}/workspaces/${ws.id}/audit-events?limit=100`)
        .set(bearer(admin.accessToken));
      const trail = await eastDb.query<{ id: string }>(`SELECT id FROM "${schema}".audit_events`, {
        type: QueryTypes.SELECT,
      });
      const ids = new Set(trail.map((r) => r.id));
      const foreign = stale.status === 200 ? stale.body.data.filter((e: { id: string }) => !ids.has(e.id)) : [];
      // Either 503 (as every other tenant table answers) or the tenant's own events: never others.
      expect(foreign.map((e: { action: string }) => e.action)).toEqual([]);
      expect(stale.status).toBe(503);
    } finally {
      await other.stop();
    }
  });
  test('writes that come during a move are refused at once (503) instead of holding pooled connections: a move off main with API-key writes coming completes', async () => {
    const { admin, ws, schema } = await workspaceOnEast();
    const move = server.container.get(MoveTenant);
    await move.execute({ workspace: ws.id, to: 'main' });
    const created = await request(server.url)
      .post(`${API}/workspaces/${ws.id}/api-keys`)
      .set(bearer(admin.accessToken))
      .send({ name: 'robot', roles: ['admin'] });
    expect(created.status).toBe(201);
    const key = created.body.data.key as string;
    // Watched from a connection of its own: the server's pool is what runs out.
    const observer = new Client({ connectionString: main.url });
    await observer.connect();
    const lockWaiters = async (pattern: string) => {
      const { rows } = await observer.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1",
        [pattern],
      );
      return rows[0]!.n;
    };
    const until = async (check: () => Promise<boolean>) => {
      for (let i = 0; i < 200 && !(await check()); i++) await new Promise((resolve) => setTimeout(resolve, 25));
    };

    // A tenant write in flight (holds the move lock shared), as any slow request or job does.
    const inFlight = new Client({ connectionString: main.url });
    await inFlight.connect();
    await inFlight.query('BEGIN');
    await inFlight.query('SELECT pg_advisory_xact_lock_shared(4242, hashtext($1))', [schema]);
    const started = Date.now();
    const moving = move.execute({ workspace: ws.id, to: 'east' });
    moving.catch(() => undefined);
    await until(async () => (await lockWaiters('SELECT pg_advisory_xact_lock(4242%')) === 1);
    // Three API-key writes (the guard's freeze does not apply to keys): each waits in its BEGIN, on a pooled connection.
    const writes = [1, 2, 3].map((i) =>
      request(server.url)
        .post(`${API}/workspaces/${ws.id}/roles`)
        .set(bearer(key))
        .send({ name: `k${i}` }),
    );
    // They do not wait for the move: each is refused at once, its connection back in the pool.
    const answered = await Promise.all(writes);
    expect(answered.map((res) => [res.status, res.body.error?.code])).toEqual(Array(3).fill([503, 'TENANT_MOVING']));
    expect(await lockWaiters('%pg_advisory_xact_lock_shared(4242%')).toBe(0);
    await inFlight.query('COMMIT');
    await inFlight.end();

    const outcome = await moving.then(
      () => 'moved',
      (err: Error) => `failed: ${err.message}`,
    );
    await observer.end();
    // DB_POOL_MAX is 4 here: writers waiting in their BEGIN would have held the main pool the
    // move needs.
    expect(outcome).toBe('moved');
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 60_000);
  test('a job run again after a move does not repeat its effect (its receipt must move with the tenant)', async () => {
    const { admin, ws, schema } = await workspaceOnEast();
    const notifications = server.container.get(Notifications);
    // One outbox job: its effect commits on east with its receipt in east's public.job_receipts;
    // its completion is not recorded (a crash, a lost answer), so pg-boss runs it again later.
    const job = { id: randomUUID(), attempt: 1 };
    const content = {
      type: 'invitation.received',
      title: 'once',
      body: 'once',
      data: { workspaceId: ws.id, workspaceName: 'Eastern', role: 'member' },
    } as Parameters<Notifications['notify']>[2];
    expect(await notifications.notify(ws.id, [admin.user.id], content, job)).toHaveLength(1);
    expect(await notifications.notify(ws.id, [admin.user.id], content, job)).toHaveLength(0);
    await server.container.get(MoveTenant).execute({ workspace: ws.id, to: 'main' });

    await notifications.notify(ws.id, [admin.user.id], content, { ...job, attempt: 2 });
    const rows = await mainDb().query(`SELECT 1 FROM "${schema}".notifications WHERE title = 'once'`, {
      type: QueryTypes.SELECT,
    });
    expect(rows).toHaveLength(1);
  });
});
