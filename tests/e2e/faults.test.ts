import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildDist, exitOf, freePort, ROOT, tenantMigrationsWith } from '../support/processes';
import { API, STRONG_PASSWORD } from '../support/auth-helpers';
import { selectRows } from '../support/test-db';
import { startTestServer, type TestServer } from '../support/test-server';
import { verifiedAccount } from '../support/workspace-helpers';

/** Faults that need a real process: killed mid-provisioning, stopped under load. */
describe('fault: process deaths', () => {
  let server: TestServer;
  beforeAll(async () => {
    buildDist();
    server = await startTestServer();
  }, 120_000);
  afterAll(() => server.stop());

  test('when the provisioning process is killed (SIGKILL) inside its transaction, then no half tenant is left, before or after a restart', async () => {
    const owner = await verifiedAccount(server);
    // The real tenant migrations, plus one that waits, so the kill lands inside the transaction.
    const dir = tenantMigrationsWith({
      '29990101000000-slow.js':
        "exports.up = async ({ context: { query } }) => { await query('CREATE TABLE crash_marker (id int); SELECT pg_sleep(3)'); };\n" +
        'exports.down = async () => {};\n',
    });
    const name = `Crashed ${Date.now()}`;
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'dist/scripts/tenant-provision.js'), '--name', name, '--owner', owner.email],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH, DATABASE_URL: process.env.DATABASE_URL, TENANT_MIGRATIONS_DIR: dir },
        stdio: 'ignore',
      },
    );
    try {
      const deadline = Date.now() + 20_000;
      while (
        (
          await selectRows(
            server,
            "SELECT 1 FROM pg_stat_activity WHERE query LIKE '%pg_sleep(3)%' AND pid <> pg_backend_pid()",
          )
        ).length === 0
      ) {
        if (Date.now() > deadline) throw new Error('provisioning never reached the slow migration');
        await new Promise((r) => setTimeout(r, 50));
      }
      child.kill('SIGKILL');
      await exitOf(child);
      // PostgreSQL rolls the orphaned transaction back once the sleeping statement ends.
      while (
        (
          await selectRows(
            server,
            "SELECT 1 FROM pg_stat_activity WHERE query LIKE '%pg_sleep(3)%' AND pid <> pg_backend_pid()",
          )
        ).length > 0
      ) {
        await new Promise((r) => setTimeout(r, 100));
      }

      const leftovers = async () => ({
        rows: await selectRows(server, 'SELECT id FROM public.workspaces WHERE name = $1', [name]),
        markers: await selectRows(
          server,
          "SELECT table_schema FROM information_schema.tables WHERE table_name = 'crash_marker'",
        ),
      });
      expect(await leftovers()).toEqual({ rows: [], markers: [] });
      // A restart (start-up reconciliation included) finds nothing to repair and nothing half-made.
      const restarted = await startTestServer();
      await restarted.stop();
      expect(await leftovers()).toEqual({ rows: [], markers: [] });
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test('when SIGTERM arrives under load, then every accepted request completes, nothing is lost, and the process exits 0', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, [path.join(ROOT, 'dist/src/main.js')], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: process.env.DATABASE_URL,
        PORT: String(port),
        // Slow enough (about 50 ms of bcrypt each, on 4 threads) that many are in flight at the signal.
        BCRYPT_ROUNDS: '10',
        AUTH_RATE_LIMIT_MAX: '100000',
        RATE_LIMIT_MAX_REQUESTS: '100000',
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    const exited = exitOf(child);
    const deadline = Date.now() + 30_000;
    while (
      !(await fetch(`${url}/health/ready`).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      if (Date.now() > deadline) throw new Error('not ready');
      await new Promise((r) => setTimeout(r, 100));
    }
    const prefix = `sigterm-${port}-`;
    const registrations = Array.from({ length: 40 }, (_, i) =>
      fetch(`${url}${API}/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', connection: 'close' },
        body: JSON.stringify({ email: `${prefix}${i}@example.com`, password: STRONG_PASSWORD, name: `Load ${i}` }),
      }).then((r) => r.status),
    );
    await new Promise((r) => setTimeout(r, 150));
    child.kill('SIGTERM');

    const statuses = await Promise.all(registrations);
    expect(statuses).toEqual(Array.from({ length: 40 }, () => 201));
    expect(await exited).toBe(0);
    const stored = await selectRows<{ count: string }>(
      server,
      'SELECT count(*) FROM public.users WHERE email LIKE $1',
      [`${prefix}%`],
    );
    expect(Number(stored[0]!.count)).toBe(40);
  }, 60_000);
});
