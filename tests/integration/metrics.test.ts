import request from 'supertest';
import { io as connect } from 'socket.io-client';
import { API, bearer } from '../support/auth-helpers';
import { startTestServer, type TestServer } from '../support/test-server';
import { createWorkspace, switchTo, verifiedAccount } from '../support/workspace-helpers';

const TOKEN = 'metrics-token-for-tests-0123456789';

describe('metrics', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ METRICS_TOKEN: TOKEN, METRICS_PORT: '0' });
  });
  afterAll(() => server.stop());

  const scrape = () => request(server.url).get('/metrics').set('Authorization', `Bearer ${TOKEN}`);

  test('when scraped without the token or with a wrong one, then 401 in the envelope', async () => {
    const none = await request(server.url).get('/metrics');
    const wrong = await request(server.url).get('/metrics').set('Authorization', `Bearer ${TOKEN}x`);
    expect([none.status, none.body.error.code, wrong.status]).toEqual([401, 'UNAUTHORIZED', 401]);
  });

  test('when requests, tenant transactions and sockets happened, then the scrape reports them by route template', async () => {
    const account = await verifiedAccount(server);
    const workspace = await createWorkspace(server, account, 'Metered');
    await switchTo(server, account, workspace.id);
    expect((await request(server.url).get(`${API}/users`).set(bearer(account.accessToken))).status).toBe(200);
    const socket = connect(`${server.socketUrl}/workspaces/${workspace.id}`, {
      auth: { token: account.accessToken },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    try {
      const res = await scrape();
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toContain('text/plain');
      const text = res.text;
      expect(text).toMatch(
        /http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/users",status="200"\} [1-9]/,
      );
      // Route templates, never raw ids:
      expect(text).toContain('route="/api/v1/workspaces/:workspaceId/switch"');
      expect(text).not.toContain(workspace.id.replace(/-/g, '')); // no schema names either
      expect(text).toMatch(/tenant_transaction_duration_seconds_count\{outcome="commit"\} [1-9]/);
      expect(text).toMatch(/db_pool_connections\{state="open"\} \d+/);
      expect(text).toContain(`socket_connections{namespace="/workspaces/${workspace.id}"} 1`);
      expect(text).toMatch(/outbox_jobs\{queue="[a-z0-9]+_outbox",state="completed"\} \d+/);
      expect(text).toMatch(/^http_requests_in_flight \d+/m);
      expect(text).toMatch(/process_resident_memory_bytes \d+/);
      expect(text).not.toContain(account.accessToken);
    } finally {
      socket.close();
    }
  });

  test('when METRICS_PORT is set, then the same metrics are served there without a token', async () => {
    const res = await request(server.metricsUrl!.replace(/\/metrics$/, '')).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toContain('http_request_duration_seconds_bucket');
  });
});
