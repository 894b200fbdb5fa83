import request from 'supertest';
import { API, bearer } from '../support/auth-helpers';
import { pgbouncerBinary, startPgBouncer, type PgBouncer } from '../support/pgbouncer';
import { startTestServer, type TestServer } from '../support/test-server';
import { createWorkspace, switchTo, verifiedAccount, type Account } from '../support/workspace-helpers';

const TENANTS = 20;
const REQUESTS = 500;
const SERVER_CONNECTIONS = 2;

const binary = pgbouncerBinary();
if (!binary) {
  process.stderr.write(
    'pgbouncer suite skipped: no pgbouncer binary (apt-get install pgbouncer; .ci/run installs it)\n',
  );
}

/**
 * The API behind a real PgBouncer in transaction mode: each transaction may run on any of two
 * server connections, so anything a request leaves on its connection (a search_path, a read-only
 * flag) would show up in another tenant's request. Read-only routes send their SET LOCAL and
 * SELECT in one message; write routes BEGIN with the SET LOCAL; both must stay within themselves.
 */
(binary ? describe : describe.skip)('behind PgBouncer (transaction pooling, 2 server connections)', () => {
  let bouncer: PgBouncer;
  let server: TestServer;
  const tenants: { owner: Account; workspaceId: string; name: string }[] = [];

  beforeAll(async () => {
    bouncer = await startPgBouncer(process.env.DATABASE_URL!, SERVER_CONNECTIONS);
    // Ten pooled clients in the API, two real connections behind them.
    server = await startTestServer({ DATABASE_URL: bouncer.url, DB_POOL_MAX: '10' });
    for (let i = 0; i < TENANTS; i++) {
      const owner = await verifiedAccount(server);
      const name = `Bounced ${i} ${owner.user.id.slice(0, 8)}`;
      const workspace = await createWorkspace(server, owner, name);
      await switchTo(server, owner, workspace.id);
      tenants.push({ owner, workspaceId: workspace.id, name });
    }
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await bouncer?.stop();
  });

  test('when 500 reads and writes of 20 tenants interleave, then each answer holds only its own tenant and every write lands in its own', async () => {
    const results = await Promise.all(
      Array.from({ length: REQUESTS }, (_, i) => {
        const t = tenants[i % TENANTS]!;
        const api = (method: 'get' | 'put', path: string) =>
          request(server.url)[method](`${API}${path}`).set(bearer(t.owner.accessToken));
        // Each tenant gets every kind of request, in rounds.
        const kind = Math.floor(i / TENANTS) % 5;
        const call =
          kind === 0
            ? api('put', `/workspaces/${t.workspaceId}`).send({ settings: { writer: `${t.workspaceId}:${i}` } })
            : kind === 1
              ? api('get', `/workspaces/${t.workspaceId}/members`)
              : kind === 2
                ? api('get', `/workspaces/${t.workspaceId}/roles`)
                : kind === 3
                  ? api('get', `/workspaces/${t.workspaceId}`)
                  : api('get', '/users?limit=5');
        return call.then((res) => ({ t, kind, i, res }));
      }),
    );

    for (const { t, kind, res } of results) {
      expect({ kind, status: res.status }).toEqual({ kind, status: 200 });
      if (kind === 0 || kind === 3) {
        expect(res.body.data.id).toBe(t.workspaceId);
        expect(res.body.data.name).toBe(t.name);
      }
      if (kind === 0) expect(res.body.data.settings.writer).toMatch(new RegExp(`^${t.workspaceId}:`));
      if (kind === 1) expect(res.body.data.map((m: { userId: string }) => m.userId)).toEqual([t.owner.user.id]);
      if (kind === 2)
        expect(res.body.data.map((r: { name: string }) => r.name).sort()).toEqual(['admin', 'member', 'viewer']);
      if (kind === 4) expect(res.body.data.map((u: { id: string }) => u.id)).toEqual([t.owner.user.id]);
    }
    // Every tenant's last write is its own, read back through the pooler.
    for (const t of tenants) {
      const res = await request(server.url).get(`${API}/workspaces/${t.workspaceId}`).set(bearer(t.owner.accessToken));
      expect(res.body.data.settings.writer).toMatch(new RegExp(`^${t.workspaceId}:`));
    }

    // The pooler really multiplexed: never more than two server connections.
    const servers = await bouncer.show<{ database: string }>('SERVERS');
    expect(servers.filter((s) => s.database !== 'pgbouncer').length).toBeLessThanOrEqual(SERVER_CONNECTIONS);
    const stats = await bouncer.show<{ database: string; total_xact_count: string }>('STATS');
    const database = decodeURIComponent(new URL(process.env.DATABASE_URL!).pathname.slice(1));
    expect(Number(stats.find((s) => s.database === database)!.total_xact_count)).toBeGreaterThan(REQUESTS);
  }, 120_000);
});
