import fs from 'node:fs';
import path from 'node:path';
import {
  exitOf,
  explainFailure,
  freePort,
  ROOT,
  spawnNode,
  tenantMigrationsWith,
  waitReady,
} from '../support/processes';
import { API, STRONG_PASSWORD } from '../support/auth-helpers';
import { selectRows } from '../support/test-db';
import { startTestServer, type TestServer } from '../support/test-server';
import { verifiedAccount } from '../support/workspace-helpers';

/** The server's http_requests_in_flight gauge, read from its METRICS_PORT (off the API's own port). */
async function inFlight(metricsPort: number): Promise<number> {
  const text = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text());
  return Number(/^http_requests_in_flight (\d+)/m.exec(text)?.[1] ?? 0);
}

/** Faults that need a real process: killed mid-provisioning, stopped under load. */
describe('fault: process deaths', () => {
  let server: TestServer;
  beforeAll(async () => {
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
    const provision = spawnNode(
      path.join(ROOT, 'dist/scripts/tenant-provision.js'),
      ['--name', name, '--owner', owner.email],
      {
        DATABASE_URL: process.env.DATABASE_URL,
        TENANT_MIGRATIONS_DIR: dir,
      },
    );
    const { child } = provision;
    await explainFailure([provision], async () => {
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
    }).finally(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    });
  }, 60_000);

  test('when SIGTERM arrives under load, then every accepted request completes, nothing is lost, and the process exits 0', async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const url = `http://127.0.0.1:${port}`;
    const api = spawnNode(path.join(ROOT, 'dist/src/main.js'), [], {
      DATABASE_URL: process.env.DATABASE_URL,
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      // Slow enough (about 100 ms of bcrypt each, on 4 threads) that all are in flight at the signal.
      BCRYPT_ROUNDS: '11',
      AUTH_RATE_LIMIT_MAX: '100000',
      RATE_LIMIT_MAX_REQUESTS: '100000',
      LOG_LEVEL: 'warn',
    });
    await explainFailure([api], async () => {
      await waitReady(`${url}/health/ready`, api.child, 30_000);
      const prefix = `sigterm-${port}-`;
      let answered = 0;
      const registrations = Array.from({ length: 40 }, (_, i) =>
        fetch(`${url}${API}/auth/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', connection: 'close' },
          body: JSON.stringify({ email: `${prefix}${i}@example.com`, password: STRONG_PASSWORD, name: `Load ${i}` }),
        }).then((r) => {
          answered += 1;
          return r.status;
        }),
      );
      // "Accepted" means the server has read the request: a connection still in the kernel's
      // backlog when listening stops is refused, as by any server. Signal once all 40 are in
      // (in flight, or already answered: on a busy machine the first can finish before the last
      // is read) while some are still running.
      const deadline = Date.now() + 20_000;
      for (;;) {
        const running = await inFlight(metricsPort);
        if (running > 0 && running + answered >= 40) break;
        if (Date.now() > deadline) throw new Error(`only ${running + answered} of 40 requests were ever accepted`);
        await new Promise((r) => setTimeout(r, 10));
      }
      api.child.kill('SIGTERM');

      const statuses = await Promise.all(registrations);
      expect(statuses).toEqual(Array.from({ length: 40 }, () => 201));
      expect(await api.exited).toBe(0);
      const stored = await selectRows<{ count: string }>(
        server,
        'SELECT count(*) FROM public.users WHERE email LIKE $1',
        [`${prefix}%`],
      );
      expect(Number(stored[0]!.count)).toBe(40);
    });
  }, 60_000);
});
