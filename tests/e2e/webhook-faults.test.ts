import { randomUUID } from 'node:crypto';
import path from 'node:path';
import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { API, bearer } from '../support/auth-helpers';
import { explainFailure, freePort, ROOT, spawnNode, waitReady, type Spawned } from '../support/processes';
import { selectRows } from '../support/test-db';
import { startTestServer, type TestServer } from '../support/test-server';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';
import { createWorkspace, switchTo, verifiedAccount } from '../support/workspace-helpers';

// One deployment: the processes share the database and the secrets (webhook signing secrets are
// sealed with DATA_ENCRYPTION_KEY, so every process must hold the same one).
const SECRETS = {
  JWT_SECRET: 'webhook-faults-jwt-secret-0123456789abcdef',
  REFRESH_TOKEN_SECRET: 'webhook-faults-refresh-secret-0123456789ab',
  DATA_ENCRYPTION_KEY: 'webhook-faults-data-encryption-key-012345',
};
const WEBHOOKS = { WEBHOOKS_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_BASE_S: '1', WEBHOOK_RETRY_WINDOW_S: '300' };

/** Webhooks across a receiver outage and a killed API: real processes, a real local receiver. */
describe('fault: webhooks across a receiver outage and an API crash', () => {
  let receiver: WebhookReceiver;
  let helper: TestServer;
  const spawned: Spawned[] = [];

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    helper = await startTestServer({ ...SECRETS, ...WEBHOOKS });
  }, 120_000);
  afterEach(() => {
    for (const p of spawned.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  });
  afterAll(async () => {
    await helper.stop();
    await receiver.close();
  });

  /** The compiled API as `npm start` runs it. */
  async function api(prefix: string): Promise<{ url: string; process: Spawned }> {
    const port = await freePort();
    const started = spawnNode(path.join(ROOT, 'dist/src/main.js'), [], {
      ...SECRETS,
      ...WEBHOOKS,
      DATABASE_URL: process.env.DATABASE_URL,
      REDIS_URL: process.env.REDIS_URL,
      REDIS_KEY_PREFIX: `test:${prefix}:`,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      DB_MIGRATE_ON_START: 'false',
      BCRYPT_ROUNDS: '4',
      RATE_LIMIT_MAX_REQUESTS: '100000',
      WORKERS: 'inline',
      JOBS_QUEUE_PREFIX: prefix,
      JOBS_POLL_INTERVAL_S: '1',
    });
    spawned.push(started);
    const url = `http://127.0.0.1:${port}`;
    await explainFailure([started], () => waitReady(`${url}/health/ready`, started.child, 30_000));
    return { url, process: started };
  }

  test('when the receiver is down and the API is killed (SIGKILL) between retries, then after a restart and the receiver’s return the webhook arrives, signed', async () => {
    const prefix = `hook${randomUUID().slice(0, 8)}`;
    const admin = await verifiedAccount(helper);
    const ws = await createWorkspace(helper, admin, `Hook Crash ${prefix}`);
    await switchTo(helper, admin, ws.id);
    const created = await request(helper.url)
      .post(`${API}/workspaces/${ws.id}/webhooks`)
      .set(bearer(admin.accessToken))
      .send({ url: receiver.url(`/${prefix}`), eventTypes: ['workspace:updated'] });
    expect(created.status).toBe(201);
    const { id: webhookId, secret } = created.body.data as { id: string; secret: string };
    const [{ schema_name: schema }] = (await selectRows<{ schema_name: string }>(
      helper,
      'SELECT schema_name FROM public.workspaces WHERE id = $1',
      [ws.id],
    )) as [{ schema_name: string }];
    const delivery = async () =>
      (
        await selectRows<{ id: string; status: string; attempts: number }>(
          helper,
          `SELECT id, status, attempts FROM "${schema}".webhook_deliveries WHERE endpoint_id = $1`,
          [webhookId],
        )
      )[0];

    await receiver.down();
    const first = await api(prefix);
    await explainFailure([first.process], async () => {
      const updated = await request(first.url)
        .put(`${API}/workspaces/${ws.id}`)
        .set(bearer(admin.accessToken))
        .send({ name: `Hook Crash 2 ${prefix}` });
      expect(updated.status).toBe(200);
      // The first attempts fail (connection refused) and the next one is scheduled.
      const deadline = Date.now() + 20_000;
      while (((await delivery())?.attempts ?? 0) < 2 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const pending = await delivery();
      expect(pending?.status).toBe('retrying');
      expect(pending?.attempts).toBeGreaterThanOrEqual(2);
      first.process.child.kill('SIGKILL');
      await first.process.exited;
    });
    const seenBefore = receiver.received.filter((h) => h.path === `/${prefix}`);
    expect(seenBefore).toEqual([]);

    await receiver.up();
    const second = await api(prefix);
    await explainFailure([second.process], async () => {
      const hooks = await receiver
        .waitFor((all) => all.some((h) => h.path === `/${prefix}`), 30_000)
        .then((all) => all.filter((h) => h.path === `/${prefix}`));
      const event = new Webhook(secret).verify(hooks[0]!.body, hooks[0]!.headers) as { type: string; data: object };
      expect(event).toMatchObject({ type: 'workspace:updated', data: { workspaceId: ws.id } });
      const deadline = Date.now() + 10_000;
      while ((await delivery())?.status !== 'succeeded' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const done = await delivery();
      expect(done).toMatchObject({ status: 'succeeded' });
      expect(hooks.every((h) => h.headers['webhook-id'] === done!.id)).toBe(true);
      expect(done!.attempts).toBeGreaterThanOrEqual(2);
    });
  }, 120_000);
});
