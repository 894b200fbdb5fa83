import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { AUDIT_LOG } from '../../../src/modules/audit/audit.public';
import { API, bearer } from '../../support/auth-helpers';
import { ROOT } from '../../support/processes';
import { startTestServer, type TestServer } from '../../support/test-server';
import { verifiedAccount, type Account } from '../../support/workspace-helpers';

const CONCURRENT = 20;

/** The test database URL with an application_name, so exactly this server's backends can be found. */
function withApplicationName(url: string, name: string): string {
  const tagged = new URL(url);
  tagged.searchParams.set('application_name', name);
  return tagged.toString();
}

/**
 * The source tenant migrations (linked: the test transformer compiles them where they are) plus
 * `extra` (file name -> JavaScript source), in a folder for TENANT_MIGRATIONS_DIR.
 */
function tenantMigrationsPlus(extra: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenant-migrations-src-'));
  const source = path.join(ROOT, 'tenants/migrations');
  for (const file of fs.readdirSync(source).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    fs.symlinkSync(path.join(source, file), path.join(dir, file));
  }
  for (const [file, text] of Object.entries(extra)) fs.writeFileSync(path.join(dir, file), text);
  return dir;
}

/** The test's own connection: not in any server's pool, so the terminations never hit it. */
async function adminClient(): Promise<Client> {
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  return client;
}

/** Polls until `sql` (which must name this server's backends) terminates at least one, or fails. */
async function terminateWhen(admin: Client, sql: string, bind: unknown[], what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { rows } = await admin.query<{ ok: boolean }>(sql, bind);
    if (rows.some((r) => r.ok)) return;
    if (Date.now() > deadline) throw new Error(`never saw ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('fault: a database connection terminated at the two moments the outside probe found', () => {
  let admin: Client;
  beforeAll(async () => {
    admin = await adminClient();
  });
  afterAll(() => admin.end());

  test('when the connection is terminated inside a tenant migration, then POST /workspaces answers 503 and leaves no workspace', async () => {
    const applicationName = `fault-migration-${randomUUID().slice(0, 8)}`;
    const marker = `slow_${randomUUID().replace(/-/g, '')}`;
    const dir = tenantMigrationsPlus({
      '29990101000000-slow.js': `exports.up = async ({ context: { query } }) => { await query("SELECT pg_sleep(5), '${marker}'"); };\n`,
    });
    const server = await startTestServer({
      DATABASE_URL: withApplicationName(process.env.DATABASE_URL!, applicationName),
      TENANT_MIGRATIONS_DIR: dir,
    });
    try {
      const owner = await verifiedAccount(server);
      const [res] = await Promise.all([
        request(server.url).post(`${API}/workspaces`).set(bearer(owner.accessToken)).send({ name: 'Migrating' }),
        terminateWhen(
          admin,
          `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = $1 AND query LIKE $2`,
          [applicationName, `%${marker}%`],
          'the slow migration',
        ),
      ]);

      expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE' });
      expect(JSON.stringify(res.body)).not.toMatch(/terminat|Migration|slow/i);
      const { rows } = await admin.query('SELECT 1 FROM public.workspaces WHERE owner_id = $1', [owner.user.id]);
      expect(rows).toEqual([]);
    } finally {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test('when the connection is terminated between the last write and COMMIT, then POST /workspaces answers 503 and leaves no workspace', async () => {
    const applicationName = `fault-commit-${randomUUID().slice(0, 8)}`;
    let pauseBeforeCommit = false;
    let paused = () => undefined as void;
    const reachedCommit = new Promise<void>((resolve) => (paused = resolve));
    let resume = () => undefined as void;
    const terminated = new Promise<void>((resolve) => (resume = resolve));
    const server = await startTestServer(
      { DATABASE_URL: withApplicationName(process.env.DATABASE_URL!, applicationName) },
      {
        // Provisioning's last statement is its audit record: waiting after it leaves the
        // connection idle in the transaction, with COMMIT as the next thing it will be sent.
        configure: (container) => {
          const audit = container.get(AUDIT_LOG);
          container.set(AUDIT_LOG, {
            record: async (entry, options) => {
              await audit.record(entry, options);
              if (pauseBeforeCommit && entry.action === 'workspace.created') {
                paused();
                // Until the test has seen the backend gone: COMMIT then goes to a dead connection.
                await terminated;
              }
            },
          });
        },
      },
    );
    try {
      const owner = await verifiedAccount(server);
      pauseBeforeCommit = true;
      const [res] = await Promise.all([
        request(server.url).post(`${API}/workspaces`).set(bearer(owner.accessToken)).send({ name: 'Committing' }),
        reachedCommit
          .then(() =>
            // With a timeout, pg_terminate_backend returns once the backend has exited.
            terminateWhen(
              admin,
              `SELECT pg_terminate_backend(pid, 10000) AS ok FROM pg_stat_activity
                WHERE datname = current_database() AND application_name = $1 AND state = 'idle in transaction'`,
              [applicationName],
              'the transaction waiting for COMMIT',
            ),
          )
          .finally(resume),
      ]);

      expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE' });
      expect(JSON.stringify(res.body)).not.toMatch(/queryable|terminat/i);
      const { rows } = await admin.query('SELECT 1 FROM public.workspaces WHERE owner_id = $1', [owner.user.id]);
      expect(rows).toEqual([]);
    } finally {
      await server.stop();
    }
  }, 60_000);
});

describe('fault: database connections terminated while workspaces are provisioned', () => {
  const applicationName = `fault-provisioning-${randomUUID().slice(0, 8)}`;
  let server: TestServer;
  let admin: Client;

  beforeAll(async () => {
    server = await startTestServer({
      DATABASE_URL: withApplicationName(process.env.DATABASE_URL!, applicationName),
      DB_POOL_MAX: '10',
      WORKSPACES_PER_USER: '100',
    });
    admin = await adminClient();
  });
  afterAll(async () => {
    await admin?.end();
    await server?.stop();
  });

  /**
   * Which of this server's backends to terminate (only this database and application_name):
   * those inside a write transaction (provisioning between its first INSERT and its COMMIT), or
   * every one, including connections the pool is still setting up.
   */
  const TARGETS = {
    provisioning: 'backend_xid IS NOT NULL',
    all: 'true',
  } as const;
  type Target = keyof typeof TARGETS;

  /** Terminates the targeted backends every few milliseconds until `done`, as a failover would. */
  async function terminateUntil(target: Target, done: () => boolean): Promise<number> {
    let terminated = 0;
    while (!done()) {
      const { rows } = await admin.query<{ ok: boolean }>(
        `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = $1 AND pid <> pg_backend_pid()
            AND ${TARGETS[target]}`,
        [applicationName],
      );
      terminated += rows.filter((r) => r.ok).length;
      await new Promise((r) => setTimeout(r, 2 + Math.random() * 20));
    }
    return terminated;
  }

  /** Everything provisioning writes for an owner, to tell a whole workspace from a half one. */
  async function footprint(ownerId: string) {
    const { rows } = await admin.query<{ id: string; status: string; schema_name: string; members: number }>(
      `SELECT w.id, w.status, w.schema_name,
              (SELECT count(*)::int FROM public.workspace_memberships m WHERE m.workspace_id = w.id) AS members
         FROM public.workspaces w WHERE w.owner_id = $1`,
      [ownerId],
    );
    const schemas = await Promise.all(
      rows.map(async (w) => {
        const found = await admin.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [w.schema_name]);
        if (found.rowCount === 0) return { schema: false, owners: 0 };
        const owners = await admin.query(`SELECT 1 FROM "${w.schema_name}".members WHERE user_id = $1`, [ownerId]);
        return { schema: true, owners: owners.rowCount };
      }),
    );
    return rows.map((w, i) => ({ status: w.status, members: w.members, ...schemas[i] }));
  }

  test.each<[string, Target]>([
    ['inside provisioning transactions', 'provisioning'],
    ['all of them, even while they connect', 'all'],
  ])(
    'when the server’s backends are terminated (%s) under 20 concurrent POST /workspaces, then each answer is 201 or 503 in the envelope, every workspace is whole or absent, and the server recovers',
    async (_case, target) => {
      const accounts: Account[] = [];
      for (let i = 0; i < CONCURRENT; i += 1) accounts.push(await verifiedAccount(server));

      let pending = CONCURRENT;
      const creations = accounts.map((account, i) =>
        Promise.resolve(
          request(server.url)
            .post(`${API}/workspaces`)
            .set(bearer(account.accessToken))
            .send({ name: `Fault ${i}` }),
        ).finally(() => (pending -= 1)),
      );
      const [terminated, answers] = await Promise.all([
        terminateUntil(target, () => pending === 0),
        Promise.all(creations),
      ]);

      expect(terminated).toBeGreaterThan(0);
      const unexpected = answers
        .map((res, i) => ({ i, status: res.status, body: res.body }))
        .filter(({ status, body }) => {
          if (status === 201) return false;
          const e = body?.error;
          return !(status === 503 && e?.code === 'SERVICE_UNAVAILABLE' && typeof e.requestId === 'string');
        });
      expect(unexpected).toEqual([]);
      // The terminations reached requests: at least one was answered 503.
      expect(answers.some((res) => res.status === 503)).toBe(true);

      const whole = { status: 'active', members: 1, schema: true, owners: 1 };
      for (const [i, account] of accounts.entries()) {
        const found = await footprint(account.user.id);
        // A 503 at COMMIT may have lost only the answer; either way nothing is half-written.
        const expected = answers[i]!.status === 201 || found.length > 0 ? [whole] : [];
        expect({ i, found }).toEqual({ i, found: expected });
      }

      // The pool replaced the terminated connections: the next request is served.
      const after = await request(server.url)
        .post(`${API}/workspaces`)
        .set(bearer(accounts[0]!.accessToken))
        .send({ name: 'After the storm' });
      expect(after.status).toBe(201);
    },
    120_000,
  );
});
