import request from 'supertest';
import { APP_MODULES } from '../../../src/core/bootstrap/modules';
import { TOKENS } from '../../../src/core/bootstrap/tokens';
import { SchemaName } from '../../../src/core/domain/schema-name';
import { tenantProbeModule } from '../../support/probe-module';
import { selectRows } from '../../support/test-db';
import { API, bearer } from '../../support/auth-helpers';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createWorkspace, switchTo, verifiedAccount, type Account } from '../../support/workspace-helpers';

// Well-formed bodies, so each answer is the access decision rather than a validation error.
const SAMPLE_BODIES: Record<string, object> = {
  'put /workspaces/:workspaceId': { name: 'Hijacked' },
  'post /workspaces/:workspaceId/members/invite': { email: 'mallory@example.com', role: 'admin' },
  'post /workspaces/:workspaceId/members/accept': { token: 'inv_forged_token_0123456789' },
};
// Accepting answers an unknown token and an unknown workspace alike; everything else is 403 or 404.
const ALLOWED: Record<string, string[]> = {
  'post /workspaces/:workspaceId/members/accept': ['INVITATION_INVALID'],
  // Platform-admin routes: refused for lack of the platform permission, before A is looked at.
  'get /admin/workspaces/:workspaceId/export': ['PERMISSION_DENIED'],
  'post /admin/workspaces/:workspaceId/clone': ['PERMISSION_DENIED'],
  'post /admin/workspaces/:workspaceId/move': ['PERMISSION_DENIED'],
  'post /admin/workspaces/:workspaceId/purge': ['PERMISSION_DENIED'],
};

describe('tenant isolation', () => {
  let server: TestServer;
  let alice: Account;
  let bob: Account;
  let aliceWs: { id: string; slug: string };
  let bobWs: { id: string; slug: string };

  beforeAll(async () => {
    server = await startTestServer({ DB_POOL_MAX: '2' });
    [alice, bob] = [await verifiedAccount(server), await verifiedAccount(server)];
    aliceWs = await createWorkspace(server, alice, 'Alice Secret Lab');
    bobWs = await createWorkspace(server, bob, 'Bob Co');
    await switchTo(server, alice, aliceWs.id);
    await switchTo(server, bob, bobWs.id);
  });
  afterAll(() => server.stop());

  test("when B calls every workspace-scoped route with A's id, then 403 or 404 and nothing about A is revealed", async () => {
    const routes = server.container
      .get(TOKENS.routes)
      .list()
      .filter((r) => r.path.includes(':workspaceId'));
    expect(routes.length).toBeGreaterThanOrEqual(5);

    for (const route of routes) {
      const path = `${API}${route.path.replace(':workspaceId', aliceWs.id).replace(/:(\w+)/g, alice.user.id)}`;
      const res = await request(server.url)
        [route.method](path)
        .set(bearer(bob.accessToken))
        .send(SAMPLE_BODIES[`${route.method} ${route.path}`] ?? {});
      const key = `${route.method} ${route.path}`;
      const allowed = ALLOWED[key] ?? ['WORKSPACE_NOT_ACTIVE', 'WORKSPACE_NOT_FOUND'];
      expect({ key, code: res.body.error?.code }).toEqual({
        key,
        code: expect.stringMatching(`^(${allowed.join('|')})$`),
      });
      expect([400, 403, 404]).toContain(res.status);
      expect(JSON.stringify(res.body)).not.toMatch(/Alice Secret Lab|tenant_/);
    }
    const still = await request(server.url).get(`${API}/workspaces/${aliceWs.id}`).set(bearer(alice.accessToken));
    expect(still.body.data.name).toBe('Alice Secret Lab');
  });

  test('when hundreds of interleaved requests for different tenants share a pool of 2, then each sees only its own members', async () => {
    const accounts = [alice, bob, await verifiedAccount(server), await verifiedAccount(server)];
    const workspaces = [aliceWs, bobWs];
    for (const account of accounts.slice(2)) {
      const ws = await createWorkspace(server, account, 'More');
      await switchTo(server, account, ws.id);
      workspaces.push(ws);
    }
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => {
        const k = i % accounts.length;
        return request(server.url)
          .get(`${API}/workspaces/${workspaces[k]!.id}/members`)
          .set(bearer(accounts[k]!.accessToken))
          .then((res) => ({
            k,
            status: res.status,
            ids: (res.body.data ?? []).map((m: { userId: string }) => m.userId),
          }));
      }),
    );
    for (const { k, status, ids } of results) {
      expect(status).toBe(200);
      expect(ids).toEqual([accounts[k]!.user.id]);
    }
  });

  test('when read-only requests and tenant writes interleave on a pool of 2, then every read sees its own tenant and every write lands in its own', async () => {
    const pairs = [
      { account: alice, ws: aliceWs },
      { account: bob, ws: bobWs },
    ];
    const results = await Promise.all(
      Array.from({ length: 120 }, (_, i) => {
        const { account, ws } = pairs[i % 2]!;
        const call =
          i % 3 === 0
            ? request(server.url)
                .put(`${API}/workspaces/${ws.id}`)
                .set(bearer(account.accessToken))
                .send({ settings: { lastWriter: `${ws.id}:${i}` } })
            : request(server.url).get(`${API}/users?limit=5`).set(bearer(account.accessToken));
        return call.then((res) => ({ i, ws, account, res }));
      }),
    );
    for (const { i, ws, account, res } of results) {
      expect(res.status).toBe(200);
      if (i % 3 === 0) expect(res.body.data.settings.lastWriter).toMatch(new RegExp(`^${ws.id}:`));
      else expect(res.body.data.map((u: { id: string }) => u.id)).toEqual([account.user.id]);
    }
  });
});

describe('read-only routes (one round trip, no transaction)', () => {
  let server: TestServer;
  let owner: Account;
  let ws: { id: string; slug: string };
  beforeAll(async () => {
    server = await startTestServer({ DB_POOL_MAX: '1' }, { modules: [...APP_MODULES, tenantProbeModule] });
    owner = await verifiedAccount(server);
    ws = await createWorkspace(server, owner);
    await switchTo(server, owner, ws.id);
  });
  afterAll(() => server.stop());
  const roles = (name: string) =>
    selectRows(server, `SELECT 1 FROM ${SchemaName.forWorkspace(ws.id).quoted}.roles WHERE name = $1`, [name]);

  test('when a GET route writes without declaring it, then PostgreSQL refuses the write (500) and nothing is stored', async () => {
    const res = await request(server.url)
      .get(`${API}/_probe/tenant-get-that-writes/read-only?name=sneaky`)
      .set(bearer(owner.accessToken));

    expect(res.status).toBe(500);
    expect(await roles('sneaky')).toEqual([]);
    const [row] = await selectRows<{ search_path: string; ro: string }>(
      server,
      "SELECT current_setting('search_path') AS search_path, current_setting('transaction_read_only') AS ro",
    );
    expect(row).toEqual({ search_path: '"$user", public', ro: 'off' });
  });

  test('when a GET route declares readOnly: false, then it runs in a tenant transaction and its write commits', async () => {
    const res = await request(server.url)
      .get(`${API}/_probe/tenant-get-that-writes/declared?name=declared`)
      .set(bearer(owner.accessToken));

    expect(res.status).toBe(200);
    expect(res.body.data.searchPath).toBe(`${SchemaName.forWorkspace(ws.id).value}, public`);
    expect(await roles('declared')).toHaveLength(1);
  });
});

describe('a request failing inside its tenant transaction', () => {
  test('when it fails after writing, then nothing is written and the single pooled connection is back on the default search_path', async () => {
    const server = await startTestServer({ DB_POOL_MAX: '1' }, { modules: [...APP_MODULES, tenantProbeModule] });
    try {
      const owner = await verifiedAccount(server);
      const ws = await createWorkspace(server, owner);
      await switchTo(server, owner, ws.id);

      const res = await request(server.url).post(`${API}/_probe/tenant-write-then-fail`).set(bearer(owner.accessToken));

      expect(res.status).toBe(500);
      const schema = SchemaName.forWorkspace(ws.id).quoted;
      expect(await selectRows(server, `SELECT 1 FROM ${schema}.roles WHERE name = 'half-written'`)).toEqual([]);
      const [row] = await selectRows<{ search_path: string }>(server, 'SHOW search_path');
      expect(row?.search_path).toBe('"$user", public');
      const members = await request(server.url)
        .get(`${API}/workspaces/${ws.id}/members`)
        .set(bearer(owner.accessToken));
      expect(members.status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
